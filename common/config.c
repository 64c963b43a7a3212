/*
 * The sshd_config parser: defaults (config_init), freeing (config_done) and the defaults that depend
 * on what was set (config_finish). config.h is the API; config-internal.h lists the files of the parser
 * and what each does; doc/CONFIG.md states the rules for operators.
 */

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/auth-methods.h"
#include "common/config-internal.h"
#include "common/config.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/macro.h"

#define CONFIG_DEFAULT_PORT 22

static const char *const default_host_keys[] = {
        "/etc/privsshd/ssh_host_ed25519_key",
        "/etc/privsshd/ssh_host_ecdsa_key",
        "/etc/privsshd/ssh_host_rsa_key",
};

static const char *const default_authorized_keys_files[] = {
        ".ssh/authorized_keys",
        ".ssh/authorized_keys2",
};

_Static_assert(ELEMENTSOF(default_host_keys) <= CONFIG_MAX_HOSTKEYS, "default host keys fit");
_Static_assert(ELEMENTSOF(default_authorized_keys_files) <= AUTHKEYS_MAX_FILES, "defaults fit");

/* ---- API ------------------------------------------------------------------------------------------- */

int config_init(Config *c) {
        *c = (Config) {
                .strict_modes = true,
                .pubkey_authentication = true,
                .password_authentication = true,
                .kbd_interactive_authentication = true,
                .permit_root_login = PERMIT_ROOT_PROHIBIT_PASSWORD,
                .max_auth_tries = 6,
                .login_grace_time = 120,
                .use_pam = true,
                .max_sessions = 10,
                .permit_tty = true,
                .allow_tcp_forwarding = FORWARD_DIRECTION_ALL,
                .allow_agent_forwarding = true,
                .allow_streamlocal_forwarding = FORWARD_DIRECTION_ALL,
                .streamlocal_bind_mask = 0177,
                .print_motd = true,
                .print_last_log = true,
                .client_alive_count_max = 3,
                .required_rsa_size = 1024,
                .log_level = LOG_LEVEL_INFO,
                .max_startups = { .begin = 10, .rate = 30, .full = 100 },
                /* Not OpenSSH's "none": half of MaxStartups' start, so that one source alone can never
                 * bring random early drop upon everybody else (doc/SECURITY.md). */
                .per_source_max_startups = 5,
                .per_source_net_block_size = { .ipv4 = 32, .ipv6 = 128 },
                .per_source_penalties = {
                        .enabled = true,
                        .crash = 90,
                        .authfail = 5,
                        .noauth = 1,
                        .grace_exceeded = 10,
                        .max = 600,
                        .min = 15,
                        .max_sources4 = 65536,
                        .max_sources6 = 65536,
                },
        };
        c->pid_file = strdup("/run/privsshd.pid");
        c->pam_service_name = strdup("privsshd");
        c->sandbox_user = strdup("privsshd");
        c->sandbox_directory = strdup("/run/privsshd/empty");
        if (!c->pid_file || !c->pam_service_name || !c->sandbox_user || !c->sandbox_directory) {
                config_done(c);
                return -ENOMEM;
        }
        return 0;
}

void config_done(Config *c) {
        if (!c)
                return;
        for (size_t i = 0; i < c->n_listen; i++)
                free(c->listen[i].host);
        for (size_t i = 0; i < c->n_hostkeys; i++)
                free(c->hostkeys[i]);
        for (size_t i = 0; i < c->n_host_certificates; i++)
                free(c->host_certificates[i]);
        for (size_t i = 0; i < c->n_authorized_keys_files; i++)
                free(c->authorized_keys_files[i]);
        for (size_t i = 0; i < c->n_authentication_methods; i++)
                free(c->authentication_methods[i]);
        for (size_t i = 0; i < c->n_allow_users; i++)
                free(c->allow_users[i]);
        for (size_t i = 0; i < c->n_deny_users; i++)
                free(c->deny_users[i]);
        for (size_t i = 0; i < c->n_allow_groups; i++)
                free(c->allow_groups[i]);
        for (size_t i = 0; i < c->n_deny_groups; i++)
                free(c->deny_groups[i]);
        for (size_t i = 0; i < c->n_subsystems; i++) {
                free(c->subsystems[i].name);
                free(c->subsystems[i].command);
        }
        for (size_t i = 0; i < c->n_accept_env; i++)
                free(c->accept_env[i]);
        for (size_t i = 0; i < c->n_set_env; i++)
                free(c->set_env[i]);
        for (size_t i = 0; i < c->permit_open.n; i++)
                free(c->permit_open.entries[i]);
        for (size_t i = 0; i < c->permit_listen.n; i++)
                free(c->permit_listen.entries[i]);
        for (size_t i = 0; i < c->channel_timeouts.n; i++)
                free(c->channel_timeouts.entries[i]);
        free(c->force_command);
        free(c->authorized_keys_command);
        free(c->authorized_keys_command_user);
        free(c->revoked_keys);
        free(c->permit_user_environment);
        free(c->banner);
        free(c->trusted_user_ca_keys);
        free(c->authorized_principals_file);
        free(c->authorized_principals_command);
        free(c->authorized_principals_command_user);
        free(c->chroot_directory);
        free(c->pid_file);
        free(c->pam_service_name);
        free(c->sandbox_user);
        free(c->sandbox_directory);
        free(c->per_source_penalty_exempt);
        free(c->kex_algorithms);
        free(c->ciphers);
        free(c->macs);
        free(c->hostkey_algorithms);
        free(c->pubkey_accepted_algorithms);
        free(c->ca_signature_algorithms);
#if ENABLE_TEST_HOOKS
        free(c->test_worker_inject);
#endif
        config_recorder_free(c->record);
        free(c->image);
        *c = (Config) {};
}

/* AddressFamily inet or inet6 and a ListenAddress of the other family: the error OpenSSH gives when it
 * resolves the address with that family. Only numeric addresses are checked here, without a lookup; a
 * host name is resolved with the family when the listener binds (monitor/listener.c). */
static int check_listen_families(const Config *c) {
        if (c->address_family == AF_UNSPEC)
                return 0;
        for (size_t i = 0; i < c->n_listen; i++) {
                struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_flags = AI_NUMERICHOST }, *res = NULL;
                if (getaddrinfo(c->listen[i].host, NULL, &hints, &res) != 0)
                        continue;               /* a name, not an address */
                int family = res->ai_family;
                freeaddrinfo(res);
                if (family != c->address_family) {
                        log_error("bad addr or host: %s (%s)", c->listen[i].host,
                                  gai_strerror(EAI_ADDRFAMILY));
                        return -EINVAL;
                }
        }
        return 0;
}

uint32_t config_auth_methods_enabled(const Config *c) {
        return (c->pubkey_authentication ? AUTH_METHOD_PUBLICKEY : 0) |
                (c->password_authentication ? AUTH_METHOD_PASSWORD : 0) |
                (c->kbd_interactive_authentication ? AUTH_METHOD_KBDINT : 0);
}

int config_finish(Config *c) {
        int r;

        if (c->n_ports == 0)
                c->ports[c->n_ports++] = CONFIG_DEFAULT_PORT;

        r = check_listen_families(c);
        if (r < 0)
                return r;

        /* Every ListenAddress without a port gets each Port, in order (as OpenSSH). Count first, so that a
         * failure leaves the Config as it was. */
        size_t total = 0;
        for (size_t i = 0; i < c->n_listen; i++)
                total += c->listen[i].port != 0 ? 1 : c->n_ports;
        if (total > CONFIG_MAX_LISTEN) {
                log_error("too many listen addresses: %zu after giving each ListenAddress without a port every "
                          "Port (at most %u)", total, CONFIG_MAX_LISTEN);
                return -EINVAL;
        }
        if (total != c->n_listen) {
                ListenAddress out[CONFIG_MAX_LISTEN] = {};
                size_t k = 0;
                r = 0;
                for (size_t i = 0; i < c->n_listen && r == 0; i++)
                        for (size_t p = 0; p < (c->listen[i].port != 0 ? 1 : c->n_ports); p++) {
                                out[k].host = strdup(c->listen[i].host);
                                if (!out[k].host) {
                                        r = -ENOMEM;
                                        break;
                                }
                                out[k++].port = c->listen[i].port ?: c->ports[p];
                        }
                if (r < 0) {
                        for (size_t i = 0; i < k; i++)
                                free(out[i].host);
                        return r;
                }
                for (size_t i = 0; i < c->n_listen; i++)
                        free(c->listen[i].host);
                memcpy(c->listen, out, sizeof out);
                c->n_listen = k;
        }

        if (c->n_hostkeys == 0)
                for (size_t i = 0; i < ELEMENTSOF(default_host_keys); i++) {
                        char *p = strdup(default_host_keys[i]);
                        if (!p)
                                return -ENOMEM;
                        c->hostkeys[c->n_hostkeys++] = p;
                }

        /* As OpenSSH at start-up: some list must be possible with the methods enabled. */
        if (c->n_authentication_methods > 0) {
                AuthLists l;
                r = auth_lists_init(&l, c->authentication_methods, c->n_authentication_methods);
                if (r < 0)
                        return r;
                /* "none" counts as enabled here, as in OpenSSH (its none method always is); privsshd
                 * never completes it, which can only let fewer users in. */
                uint32_t enabled = config_auth_methods_enabled(c) | AUTH_METHOD_NONE;
                bool possible = false;
                for (size_t i = 0; i < l.n_lists; i++) {
                        bool all = true;
                        for (size_t k = 0; k < l.n_steps[i]; k++)
                                all = all && (l.steps[i][k] & enabled);
                        possible = possible || all;
                }
                if (!possible) {
                        log_error("AuthenticationMethods cannot be satisfied by enabled authentication methods");
                        return -EINVAL;
                }
        }

        if (!config_keyword_seen(c, config_keyword_find("AuthorizedKeysFile")) && c->n_authorized_keys_files == 0)
                for (size_t i = 0; i < ELEMENTSOF(default_authorized_keys_files); i++) {
                        char *p = strdup(default_authorized_keys_files[i]);
                        if (!p)
                                return -ENOMEM;
                        c->authorized_keys_files[c->n_authorized_keys_files++] = p;
                }
        return config_finish_keys_command(c);
}

const char *permit_root_login_to_string(PermitRootLogin p) {
        static const char *const names[_PERMIT_ROOT_MAX] = {
                [PERMIT_ROOT_NO] = "no",
                [PERMIT_ROOT_YES] = "yes",
                [PERMIT_ROOT_PROHIBIT_PASSWORD] = "prohibit-password",
                [PERMIT_ROOT_FORCED_COMMANDS_ONLY] = "forced-commands-only",
        };
        if (p < 0 || p >= _PERMIT_ROOT_MAX)
                return NULL;
        return names[p];
}
