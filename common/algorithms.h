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

/* Comma-separated lists (static strings). algorithms_not_offered(): names OpenSSH knows that
 * privsshd's libssh does not have (the one table of them; "" when there are none). */
const char *algorithms_default(AlgorithmClass cls);
const char *algorithms_supported(AlgorithmClass cls);
const char *algorithms_not_offered(AlgorithmClass cls);

/*
 * OpenSSH's syntax: "a,b" (exactly these, in this order), "+a,b" (the default list, then these),
 * "-a,b" (the default list without these), "^a,b" (these, then the rest of the default list).
 * Patterns with * and ? match supported names in a "-" list always, and elsewhere for the key
 * algorithm classes only (as OpenSSH: a cipher, MAC or key exchange list names algorithms exactly).
 * A name OpenSSH knows but privsshd does not offer (algorithms_not_offered(); a pattern that
 * matches only such names) is left out, which allows less than written, never more: it goes to
 * *ret_ignored for the caller's warning. A name OpenSSH does not know either is an error, as is a
 * list that comes out empty. A "-" list is not checked (removing an unknown name removes nothing).
 *
 * Returns 0 and the list in *ret (malloc'd); -EINVAL with a NUL-terminated copy of the first bad
 * element in *ret_bad (malloc'd), or *ret_bad NULL for an empty result; -ENOMEM. *ret_ignored is
 * NULL or the elements left out, comma-separated (malloc'd), on success and on an empty result.
 */
int algorithms_assemble(AlgorithmClass cls, const char *spec, char **ret, char **ret_bad,
                        char **ret_ignored);

/* Does comma-separated `list` contain `name` exactly? */
bool algorithms_list_contains(const char *list, const char *name);
