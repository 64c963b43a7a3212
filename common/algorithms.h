#pragma once
/*
 * The algorithm keywords of sshd_config (Ciphers, KexAlgorithms, MACs, HostKeyAlgorithms,
 * PubkeyAcceptedAlgorithms, CASignatureAlgorithms): what privsshd's own libssh (subprojects/libssh.pin)
 * supports, privsshd's defaults (OpenSSH 10's order, post-quantum key exchange first, restricted to
 * what privsshd does), and OpenSSH's list syntax turned into the final list.
 *
 * The monitor never links libssh, so the supported names are a table here; tests/unit/test-algorithms.c
 * links the worker's libssh and checks the table against ssh_get_supported_methods(), so a libssh bump
 * that changes them fails there.
 */

#include <stdbool.h>

typedef enum AlgorithmClass {
        ALGORITHMS_KEX,
        ALGORITHMS_CIPHERS,
        ALGORITHMS_MACS,
        ALGORITHMS_HOSTKEY,
        ALGORITHMS_PUBKEY,
        ALGORITHMS_CA_SIGNATURE,
        _ALGORITHMS_MAX,
} AlgorithmClass;

/* The class of an sshd_config keyword ("Ciphers", "PubkeyAcceptedKeyTypes", ...), or -ENOENT. */
int algorithm_class_by_keyword(const char *keyword);

/* Comma-separated lists (static strings). */
const char *algorithms_default(AlgorithmClass cls);
const char *algorithms_supported(AlgorithmClass cls);

/*
 * OpenSSH's syntax: "a,b" (exactly these, in this order), "+a,b" (the default list, then these),
 * "-a,b" (the default list without these), "^a,b" (these, then the rest of the default list).
 * Patterns with * and ? match supported names in a "-" list always, and elsewhere for the key
 * algorithm classes only (as OpenSSH: a cipher, MAC or key exchange list names algorithms exactly).
 * A name that privsshd's libssh does not support (OpenSSH's or not) is an error, as is a list that
 * comes out empty.
 *
 * Returns 0 and the list in *ret (malloc'd); -EINVAL with *ret_bad pointing into spec at the first
 * bad element (NUL-terminated copy in *ret_bad, malloc'd) or NULL for an empty result; -ENOMEM.
 */
int algorithms_assemble(AlgorithmClass cls, const char *spec, char **ret, char **ret_bad);

/* Does comma-separated `list` contain `name` exactly? */
bool algorithms_list_contains(const char *list, const char *name);
