#!/bin/sh
# Regenerates the KRL fixtures of test-krl.c with OpenSSH's ssh-keygen (the keys are new each time;
# the test reads them from here, so it needs no edit). Private keys are not kept.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f ./*.krl ./*.pub ./*.spec
for n in a b c d ca ca2; do
        ssh-keygen -q -t ed25519 -N '' -C "krl-$n" -f "$tmp/$n"
        cp "$tmp/$n.pub" "$n.pub"
done
ssh-keygen -q -t rsa -b 2048 -N '' -C krl-rsa -f "$tmp/rsa" && cp "$tmp/rsa.pub" rsa.pub
ssh-keygen -q -t ecdsa -N '' -C krl-ecdsa -f "$tmp/ecdsa" && cp "$tmp/ecdsa.pub" ecdsa.pub
# A certificate of key d (serial 7, ID "d-cert"), for the plain list: a certificate line revokes its key.
ssh-keygen -q -s "$tmp/ca" -I d-cert -n alice -z 7 "$tmp/d.pub" && cp "$tmp/d-cert.pub" d-cert.pub

ssh-keygen -q -k -f key.krl a.pub rsa.pub                       # explicit keys
printf 'hash: %s\n' "$(ssh-keygen -lf a.pub | awk '{print $2}')" > hash.spec
ssh-keygen -q -k -f hash.krl hash.spec                          # by SHA256 fingerprint
printf 'sha1: %s\n' "$(cat ecdsa.pub)" > sha1.spec
ssh-keygen -q -k -f sha1.krl sha1.spec
printf 'sha256: %s\n' "$(cat b.pub)" > sha256.spec
ssh-keygen -q -k -f sha256.krl sha256.spec
# Certificates of CA "ca": a serial list, a range, a dense set (a bitmap) and key IDs.
cat > certs.spec <<'SPEC'
serial: 5
serial: 9
serial: 100-199
serial: 1000
serial: 1002
serial: 1003
serial: 1005
serial: 1008
serial: 1013
serial: 1021
serial: 1030
serial: 1034
serial: 1040
serial: 123456789
serial: 987654321000
id: alice-laptop
id: bob phone
SPEC
ssh-keygen -q -k -s ca.pub -f certs.krl certs.spec
# (ssh-keygen makes no certificate section for "any CA": test-krl.c builds one by hand.)
# Several sections in one KRL, updated in place (-u): key c explicitly, then certificates.
ssh-keygen -q -k -f mixed.krl c.pub
ssh-keygen -q -k -u -s ca2.pub -f mixed.krl certs.spec
# A plain list of keys: a comment, a blank line, key b, the certificate of d, a line that is no key.
{ echo '# revoked'; echo; cat b.pub; cat d-cert.pub; echo 'ssh-ed25519 not-base64!'; } > list.txt
