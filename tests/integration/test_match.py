#!/usr/bin/python3
"""Match blocks per connection, with the real client and real PAM: Match User, Group and Address
change PasswordAuthentication, ForceCommand, ChrootDirectory (with internal-sftp), PermitTTY,
AllowTcpForwarding, PermitOpen and Banner for the users and addresses they name, and each check has
its positive control beside it (the user or address the block does not name gets the global value).
Then `privsshd -T -C` against `sshd -T -C` (OpenSSH 9.2) on the same file, line by line for every
keyword a Match block can set, for several connections, and Match errors at load in OpenSSH's words.

Fixture groups: alice (2001), carol (2002), project (alice and carol). Every connection comes from
127.0.0.1 unless it binds another loopback source (ssh -b 127.0.0.2). The test's Match blocks end
with "Match All", so that the harness's own lines after them are global again."""
import hashlib
import os
import re
import socket
import subprocess
import threading

import harness
from harness import KEYS, PORT, Server, SshProcess, check, ssh

END = "\nMatch All\n"
SUBSYSTEM = "Subsystem sftp /usr/lib/openssh/sftp-server"


def password(user, command="echo in", opts=()):
    pw = {"alice": "alicepw", "carol": "carolpw"}[user]
    return ssh(command, user=user, password=pw, opts=opts)


def key(user, command="echo in", opts=()):
    return ssh(command, user=user, key=f"{KEYS}/{user}", opts=opts)


def digest_server(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    while True:
        c, _ = s.accept()
        data = b""
        while chunk := c.recv(65536):
            data += chunk
        c.sendall(hashlib.sha256(data).hexdigest().encode())
        c.close()


def forward(user, port):
    """ssh -W 127.0.0.1:PORT (a direct-tcpip channel): True when the bytes came back digested."""
    r = ssh(None, user=user, key=f"{KEYS}/{user}", opts=["-W", f"127.0.0.1:{port}"], stdin=b"m")
    return r, r.returncode == 0 and r.stdout == hashlib.sha256(b"m").hexdigest().encode()


def test_password_authentication():
    s = Server("PasswordAuthentication no\nMatch User carol\n\tPasswordAuthentication yes" + END).start()
    r = password("carol")
    check(r.returncode == 0 and r.stdout == b"in\n", "Match User carol: PasswordAuthentication yes lets her in", r, s)
    r = password("alice")
    check(r.returncode == 255 and b"in" not in r.stdout,
          "control: alice (not matched) keeps the global PasswordAuthentication no", r, s)
    check(key("alice").returncode == 0, "control: alice's key login still works")
    s.stop()

    s = Server("Match Group carol\n\tPasswordAuthentication no" + END).start()
    r = password("carol")
    check(r.returncode == 255, "Match Group carol: carol's password is not asked for", r, s)
    r = password("alice")
    check(r.returncode == 0 and r.stdout == b"in\n", "control: alice (not in group carol) logs in with her password",
          r, s)
    s.stop()


def test_force_command():
    s = Server("Match Group project User carol\n\tForceCommand echo forced-for-carol" + END).start()
    r = key("carol", "echo asked")
    check(r.returncode == 0 and r.stdout == b"forced-for-carol\n", "Match Group + User: carol's command is forced", r, s)
    r = key("alice", "echo asked")
    check(r.returncode == 0 and r.stdout == b"asked\n", "control: alice runs her own command", r, s)
    s.stop()

    # Address: 127.0.0.2 is matched, 127.0.0.1 is not (a negated entry and a CIDR).
    s = Server("PerSourcePenaltyExemptList 127.0.0.0/8\nForceCommand echo global\n"
               "Match Address 127.0.0.0/8,!127.0.0.1\n\tForceCommand echo from-two" + END).start()
    r = key("alice", "echo asked", opts=["-b", "127.0.0.2"])
    check(r.returncode == 0 and r.stdout == b"from-two\n", "Match Address 127.0.0.0/8,!127.0.0.1: 127.0.0.2 matches",
          r, s)
    r = key("alice", "echo asked")
    check(r.returncode == 0 and r.stdout == b"global\n", "control: 127.0.0.1 (negated) gets the global ForceCommand",
          r, s)
    s.stop()


def test_chroot_sftp():
    jail = "/run/jail-match"
    os.makedirs(f"{jail}/upload", exist_ok=True)
    os.chmod(jail, 0o755)
    with open(f"{jail}/upload/inside", "w") as f:
        f.write("in the jail\n")
    s = Server(SUBSYSTEM + "\nMatch User carol\n\tChrootDirectory " + jail + "\n\tForceCommand internal-sftp" +
               END).start()
    common = ["-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
              "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-P", str(PORT)]

    def sftp(user):
        return subprocess.run(["/usr/bin/sftp", "-b", "-"] + common + ["-i", f"{KEYS}/{user}", f"{user}@127.0.0.1"],
                              input=b"ls /\n", capture_output=True, timeout=120, env=harness.ssh_env())
    r = sftp("carol")
    out = r.stdout.decode(errors="replace")
    check(r.returncode == 0 and "/upload" in out and "/etc" not in out and "/home" not in out,
          "Match User carol: ChrootDirectory + ForceCommand internal-sftp: / is the jail", out, r.stderr, s)
    r = key("carol", "cat /etc/passwd")
    check(r.returncode != 0 and b"alice" not in r.stdout, "and carol gets no shell command (sftp only)", r, s)
    r = sftp("alice")
    out = r.stdout.decode(errors="replace")
    check(r.returncode == 0 and "/etc" in out and "/home" in out, "control: alice's sftp sees the real /", out, s)
    s.stop()


def test_permit_tty():
    s = Server("Match User carol\n\tPermitTTY no" + END).start()
    r = key("carol", "tty; echo ran", opts=["-tt"])
    check(r.returncode == 255 and b"ran" not in r.stdout and
          (b"PTY allocation request failed" in r.stderr or "PTY allocation request failed" in r.log),
          "Match User carol: PermitTTY no refuses her terminal", r, s)
    r = key("alice", "tty; echo ran", opts=["-tt"])
    check(r.returncode == 0 and b"/dev/pts/" in r.stdout and b"ran" in r.stdout,
          "control: alice gets a terminal", r, s)
    s.stop()


def test_forwarding():
    for port in (8711, 8712):
        threading.Thread(target=digest_server, args=(port,), daemon=True).start()
    harness.wait_for(lambda: harness.listening(8711) and harness.listening(8712), 5)
    s = Server("Match User carol\n\tAllowTcpForwarding no\nMatch User alice\n\tPermitOpen 127.0.0.1:8711" +
               END).start()
    r, ok = forward("carol", 8711)
    check(not ok and "administratively prohibited" in r.log, "Match User carol: AllowTcpForwarding no refuses -W",
          r, s)
    r, ok = forward("alice", 8711)
    check(ok, "control: alice forwards to 127.0.0.1:8711 (her PermitOpen)", r, s)
    r, ok = forward("alice", 8712)
    check(not ok and "administratively prohibited" in r.log,
          "Match User alice: PermitOpen 127.0.0.1:8711 refuses 127.0.0.1:8712", r, s)
    s.stop()
    s = Server("").start()
    r, ok = forward("carol", 8712)
    check(ok, "control: without the Match blocks carol forwards to 8712", r, s)
    s.stop()


def test_banner():
    with open("/run/banner-carol", "w") as f:
        f.write("Carol's banner\n")
    s = Server("Match User carol\n\tBanner /run/banner-carol" + END).start()
    r = key("carol")
    check(r.returncode == 0 and (b"Carol's banner" in r.stderr or "Carol's banner" in r.log),
          "Match User carol: her Banner is sent (after the user is named, as OpenSSH)", r, s)
    r = key("alice")
    check(r.returncode == 0 and b"Carol's banner" not in r.stderr and "Carol's banner" not in r.log,
          "control: alice gets no banner", r, s)
    s.stop()


def test_worker_values():
    """Values the worker enforces reach it in USER_CONFIG: UnusedConnectionTimeout from a block."""
    s = Server("Match User carol\n\tUnusedConnectionTimeout 2" + END).start()
    carol = SshProcess(None, user="carol", key=f"{KEYS}/carol", opts=["-N"])
    alice = SshProcess(None, user="alice", key=f"{KEYS}/alice", opts=["-N"])
    rc = carol.wait(10)
    check(rc == 255 and s.wait_log(r"^terminating inactive connection from user carol 127\.0\.0\.1 port \d+$", 5),
          "Match User carol: UnusedConnectionTimeout 2 disconnects her ssh -N (the worker got the value)", carol, s)
    check(alice.wait(1) is None, "control: alice's ssh -N (global: none) is still connected", alice, s)
    alice.close()
    carol.close()
    s.stop()

    # MaxAuthTries from a block: counted by the monitor.
    s = Server("Match User carol\n\tMaxAuthTries 1" + END).start()
    r = ssh("echo in", user="carol", password="wrong", prompts=3)
    check(r.returncode == 255 and s.wait_log(r"maximum authentication attempts exceeded for carol", 5) and
          s.count(r"Failed password for carol") == 1,
          "Match User carol: MaxAuthTries 1 ends her connection after one wrong password", r, s)
    r = ssh("echo in", user="alice", password="wrong", prompts=3)
    check(r.returncode == 255 and harness.wait_for(lambda: s.count(r"Failed password for alice") == 3, 5),
          "control: alice (global MaxAuthTries 6) is asked three times", r, s)
    s.stop()


# The file -T -C is compared on: every criterion, negation, CIDR, Include inside Match, and a value
# for each keyword a Match block can set that privsshd implements.
TCONF = """\
HostKey {hostkey}
PasswordAuthentication no
ForceCommand global
Banner none
PubkeyAcceptedAlgorithms ssh-ed25519,rsa-sha2-512
CASignatureAlgorithms ssh-ed25519,rsa-sha2-512
Include {dir}/inc-*.conf
Match User alice,!bob
	PasswordAuthentication yes
	Banner /alice
	MaxAuthTries 3
	MaxSessions 4
	AllowUsers alice carol@10.0.0.0/8
	AuthorizedKeysFile .ssh/alice_keys
	PermitOpen 127.0.0.1:80 [::1]:443
	PermitListen 8080
	AllowTcpForwarding local
	GatewayPorts clientspecified
	PermitTTY no
	ChrootDirectory /srv/%u
	ForceCommand internal-sftp
	ClientAliveInterval 30
	ClientAliveCountMax 5
	SetEnv A=1 B=2
	AcceptEnv LC_*
	AuthenticationMethods publickey,password
	PubkeyAuthentication yes
	PermitRootLogin no
	LogLevel VERBOSE
	RekeyLimit 1G 1h
	UnusedConnectionTimeout 10m
	ChannelTimeout session=5m
	ExposeAuthInfo yes
	DisableForwarding no
	AllowAgentForwarding no
	StreamLocalBindMask 0077
	StreamLocalBindUnlink yes
	AllowStreamLocalForwarding remote
	PermitEmptyPasswords no
	RequiredRSASize 2048
	PubkeyAuthOptions verify-required
	KbdInteractiveAuthentication no
	DenyGroups wheel
	PubkeyAcceptedAlgorithms ssh-ed25519
	CASignatureAlgorithms ssh-ed25519
Match Group project Address 10.0.0.0/8
	ForceCommand project-from-ten
	Include {dir}/in-match.conf
Match Host *.example.com LocalPort 2200
	Banner /example
Match LocalAddress 192.0.2.1,2001:db8::/32 User !root
	MaxSessions 9
Match Address 192.168.0.0/16,!192.168.30.0/24
	ForceCommand lan
Match All
	X11Forwarding no
"""


def dump(argv):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout, r.stderr


def test_dump_against_openssh():
    d = "/run/match-t"
    os.makedirs(d, exist_ok=True)
    hostkey = f"{d}/hostkey"
    if not os.path.exists(hostkey):
        harness.run_cmd(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostkey])
    with open(f"{d}/inc-1.conf", "w") as f:
        f.write("Match User carol\n\tBanner /carol-included\n")
    with open(f"{d}/in-match.conf", "w") as f:
        f.write("MaxAuthTries 2\nMatch User carol\n\tPermitTTY no\n")
    conf = f"{d}/sshd_config"
    with open(conf, "w") as f:
        f.write(TCONF.format(hostkey=hostkey, dir=d))
    # Ours adds three keywords of its own, which OpenSSH does not know: given with -o.
    ours = [harness.PRIVSSHD, "-o", "SandboxUser privsshd", "-o", f"SandboxDirectory {harness.SANDBOX_DIRECTORY}",
            "-o", "PAMServiceName privsshd", "-f", conf, "-T"]
    theirs = [harness.OPENSSH_SSHD, "-f", conf, "-T"]
    if not os.access(harness.OPENSSH_SSHD, os.X_OK):
        check(not harness.MUST_RUN, "OpenSSH's sshd is there to compare with (tools/install-deps test)")
        return
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    # The keywords a Match block can set that privsshd implements and prints (common/config-match.c).
    keys = {"passwordauthentication", "banner", "maxauthtries", "maxsessions", "allowusers", "authorizedkeysfile",
            "permitopen", "permitlisten", "allowtcpforwarding", "gatewayports", "permittty", "chrootdirectory",
            "forcecommand", "clientaliveinterval", "clientalivecountmax", "setenv", "acceptenv",
            "authenticationmethods", "pubkeyauthentication", "permitrootlogin", "loglevel", "rekeylimit",
            "unusedconnectiontimeout", "channeltimeout", "exposeauthinfo", "disableforwarding",
            "allowagentforwarding", "streamlocalbindmask", "streamlocalbindunlink", "allowstreamlocalforwarding",
            "permitemptypasswords", "requiredrsasize", "pubkeyauthoptions", "kbdinteractiveauthentication",
            "denygroups", "denyusers", "allowgroups", "pubkeyacceptedalgorithms", "casignaturealgorithms"}
    specs = [
        "user=alice,addr=127.0.0.1,host=127.0.0.1,laddr=127.0.0.1,lport=22",
        "user=bob,addr=127.0.0.1,host=127.0.0.1,laddr=127.0.0.1,lport=22",
        "user=carol,addr=10.1.2.3,host=10.1.2.3,laddr=127.0.0.1,lport=22",
        "user=alice,addr=10.1.2.3,host=a.example.com,laddr=127.0.0.1,lport=2200",
        "user=carol,addr=192.168.1.1,host=x,laddr=192.0.2.1,lport=22",
        "user=carol,addr=192.168.30.1,host=x,laddr=2001:db8::5,lport=22",
        "user=root,addr=192.168.1.1,host=x,laddr=192.0.2.1,lport=22",
    ]
    for spec in specs:
        extra = ["-C", spec] if spec else []
        rc1, out1, err1 = dump(ours + extra)
        rc2, out2, err2 = dump(theirs + extra)
        mine = [l for l in out1.splitlines() if l.split(" ", 1)[0] in keys]
        ref = {}
        for l in out2.splitlines():
            ref.setdefault(l.split(" ", 1)[0], []).append(l)
        differ = [l for l in mine if l not in ref.get(l.split(" ", 1)[0], [])]
        counts = [k for k in keys if len([l for l in mine if l.split(" ", 1)[0] == k]) != len(ref.get(k, [])) and
                  any(l.split(" ", 1)[0] == k for l in mine)]
        check(rc1 == 0 and rc2 == 0 and len(mine) > 30 and not differ and not counts,
              f"-T {'-C ' + spec if spec else '(no -C)'}: every Match-settable line as sshd -T prints it",
              f"differ: {differ} counts: {counts}", err1, err2)

    # -T without -C: no criterion matches, but "Match All" applies (sshd -T does the same).
    with open(f"{d}/all.conf", "w") as f:
        f.write(f"HostKey {hostkey}\nMatch User alice\n\tBanner /alice\nMatch All\n\tBanner /all\n")
    rc1, out1, err1 = dump([harness.PRIVSSHD, "-f", f"{d}/all.conf", "-T"])
    rc2, out2, err2 = dump([harness.OPENSSH_SSHD, "-f", f"{d}/all.conf", "-T"])
    check(rc1 == 0 and "banner /all\n" in out1 and "banner /all\n" in out2,
          "-T without -C: only Match All applies, as sshd -T", out1, err1, out2, err2)

    # Facts -C does not give: a criterion on them does not match (-T), except LocalPort, which OpenSSH
    # 9.2 cannot test without lport: the same fatal error in both.
    rc1, out1, _ = dump(ours + ["-C", "user=alice"])
    check(rc1 == 255 or rc1 == 1, "-C without lport and a Match LocalPort: an error, as sshd", out1)
    rc2, _, _ = dump(theirs + ["-C", "user=alice"])
    check(rc2 != 0, "and sshd -T fails too (reference)")
    rc1, _, err1 = dump([harness.PRIVSSHD, "-f", conf, "-t", "-C", "user=alice"])
    check(rc1 != 0 and "Config test connection parameter (-C) provided without test mode (-T)" in err1,
          "-C without -T is refused in OpenSSH's words", err1)
    for bad, said in (("user=alice,foo=1", "Invalid test mode specification foo=1"),
                      ("lport=x", "Invalid port 'x' in test mode specification lport=x")):
        rc1, _, err1 = dump(ours + ["-C", bad])
        check(rc1 != 0 and said in err1, f"-C {bad}: refused, {said!r}", err1)


def test_load_errors():
    cases = [
        ("Match User alice\n\tPort 2022\n", "Directive 'Port' is not allowed within a Match block"),
        ("Match User alice\n\tSubsystem x /bin/true\n", "Directive 'Subsystem' is not allowed within a Match block"),
        ("Match\n", "One or more attributes required for Match"),
        ("Match User\n", "Missing Match criteria for User"),
        ("Match All User alice\n", "'all' cannot be combined with other Match attributes"),
        ("Match Colour blue\n", "Unsupported Match attribute Colour"),
        ("Match Address 10.0.1.0/8\n", "Invalid Match address argument '10.0.1.0/8'"),
        ("Match LocalAddress 2000:aa:bb:01::/56\n", "Invalid Match localaddress argument '2000:aa:bb:01::/56'"),
        ("Match LocalPort 70000\n", "Invalid LocalPort '70000' on Match line"),
        ("Match User alice\n\tPasswordAuthentication maybe\n", "invalid value for PasswordAuthentication"),
    ]
    d = "/run/match-load"
    os.makedirs(d, exist_ok=True)
    for text, said in cases:
        path = f"{d}/c"
        with open(path, "w") as f:
            f.write(f"HostKey /run/match-t/hostkey\n{text}")
        r = subprocess.run([harness.PRIVSSHD, "-t", "-f", path], capture_output=True, text=True)
        check(r.returncode != 0 and said in r.stderr, f"refused at load: {text.strip()!r}: {said}", r.stderr)
    with open(f"{d}/c", "w") as f:
        f.write("HostKey /run/match-t/hostkey\nMatch User alice Address 10.0.0.0/8 LocalPort 22\n"
                "\tPasswordAuthentication no\nMatch All\nPort 2022\n")
    r = subprocess.run([harness.PRIVSSHD, "-t", "-f", f"{d}/c"], capture_output=True, text=True)
    check(r.returncode == 0, "control: a good Match block, and global lines after Match All, load", r.stderr)
    r = subprocess.run([harness.PRIVSSHD, "-t", "-o", "Match User alice", "-f", f"{d}/c"], capture_output=True,
                       text=True)
    check(r.returncode != 0 and "Match directive not supported as a command-line option" in r.stderr,
          "-o Match is refused as by sshd", r.stderr)


def main():
    harness.ours_only("-T -C is compared with OpenSSH's sshd inside the test itself")
    test_password_authentication()
    test_force_command()
    test_chroot_sftp()
    test_permit_tty()
    test_forwarding()
    test_banner()
    test_worker_values()
    test_dump_against_openssh()
    test_load_errors()


harness.run(main)
