#!/usr/bin/python3
"""Connections that fail before authentication are logged in OpenSSH's words: a client with no
algorithm in common ("Unable to negotiate with HOST port N: no matching cipher found. Their offer:
..."), and a peer that does not speak SSH ("banner exchange: Connection from HOST port N: invalid
format"). The same lines come from OpenSSH's sshd."""
import harness
from harness import Server, check, ssh


def main():
    s = Server().start()
    for opt, what, offer in (("KexAlgorithms=diffie-hellman-group14-sha1", "key exchange method",
                              "diffie-hellman-group14-sha1"),
                             ("Ciphers=aes128-cbc", "cipher", "aes128-cbc"),
                             ("HostKeyAlgorithms=rsa-sha2-512", "host key type", "rsa-sha2-512")):
        r = ssh("true", opts=["-o", opt])
        check(r.returncode == 255, f"a client offering only {offer} is refused", r)
        check(s.wait_log(rf"^Unable to negotiate with 127\.0\.0\.1 port \d+: no matching {what} found\. "
                         rf"Their offer: {offer}\b", 5),
              f"logged: Unable to negotiate ... no matching {what} found. Their offer: {offer}", s)

    harness.send_junk(b"GET / HTTP/1.0\r\n\r\n")
    check(s.wait_log(r'^kex_exchange_identification: client sent invalid protocol identifier "GET / HTTP/1\.0"', 5),
          "an HTTP request: kex_exchange_identification: client sent invalid protocol identifier \"GET / HTTP/1.0\"", s)
    check(s.wait_log(r"^banner exchange: Connection from 127\.0\.0\.1 port \d+: invalid format", 5),
          "and banner exchange: Connection from 127.0.0.1 port N: invalid format", s)


harness.run(main)
