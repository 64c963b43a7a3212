#pragma once
/*
 * AuthenticationMethods, as OpenSSH: one or more lists of comma-separated methods; access needs every
 * method of one list, in its order. After each success, every list that starts with that method loses
 * its head (the others stay as they were); the methods offered next are the heads of the lists; a
 * list that empties means access. "any" (the default): one method is enough. Methods: publickey,
 * password, keyboard-interactive (and keyboard-interactive:pam, PAM being its only device).
 * Shared by the configuration (validation, -T) and the monitor (the decisions).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUTH_METHODS_MAX_LISTS  16u
#define AUTH_METHODS_MAX_STEPS  8u

/* One bit per method, as the worker's SETUP and AUTH_RESULT carry them. */
typedef enum AuthMethod {
        AUTH_METHOD_PUBLICKEY = 1u << 0,
        AUTH_METHOD_PASSWORD = 1u << 1,
        AUTH_METHOD_KBDINT = 1u << 2,
        /* "none" (RFC 4252 5.2), a method OpenSSH accepts in AuthenticationMethods: privsshd never lets
         * it succeed (no empty-password login through it), so a list with it is never completed. */
        AUTH_METHOD_NONE = 1u << 3,
} AuthMethod;

typedef struct AuthLists {
        bool any;
        uint8_t steps[AUTH_METHODS_MAX_LISTS][AUTH_METHODS_MAX_STEPS];  /* AuthMethod bits */
        uint8_t n_steps[AUTH_METHODS_MAX_LISTS];
        uint8_t head[AUTH_METHODS_MAX_LISTS];                           /* steps done */
        size_t n_lists;
} AuthLists;

/* Parses one list ("publickey,keyboard-interactive:pam"). 0, or -EINVAL with *bad the offending name
 * (pointing into a static string or into `list`'s copy: print it before freeing anything). */
int auth_methods_parse_list(const char *list, AuthLists *into, const char **bad);

/* The lists of the configuration: NULL or {"any"} is any. */
int auth_lists_init(AuthLists *l, char *const *lists, size_t n);

/* Whether `m` is the next step of some list. */
bool auth_lists_allowed(const AuthLists *l, AuthMethod m);

/* `m` succeeded: 1 when some list is complete (access), 0 when more is needed (partial success). */
int auth_lists_complete(AuthLists *l, AuthMethod m);

/* The methods offered next (the heads of the lists), among `enabled`. */
uint32_t auth_lists_next(const AuthLists *l, uint32_t enabled);

/* The method's name as AuthenticationMethods and the logs write it. */
const char *auth_method_name(AuthMethod m);
