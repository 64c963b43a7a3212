/*
 * The printers of config_keywords[]: each prints its keyword's value as OpenSSH's `sshd -T` does
 * (lowercase keyword, one line per value).
 */

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/algorithms.h"
#include "common/config-internal.h"
#include "common/config.h"
#include "common/log.h"
#include "common/macro.h"

static void dump_keyword(const ConfigKeyword *kw, FILE *f) {
        for (const char *p = kw->name; *p; p++)
                fputc(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p, f);
        fputc(' ', f);
}

void config_dump_flag(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        dump_keyword(kw, f);
        fprintf(f, "%s\n", *(const bool *) field ? "yes" : "no");
}

void config_dump_pubkey_auth_options(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        unsigned v = *(const unsigned *) field;
        bool touch = v & PUBKEY_AUTH_TOUCH_REQUIRED, verify = v & PUBKEY_AUTH_VERIFY_REQUIRED;
        dump_keyword(kw, f);
        fprintf(f, "%s%s%s%s\n", v == 0 ? "none" : "", touch ? "touch-required" : "",
                touch && verify ? " " : "", verify ? "verify-required" : "");
}

void config_dump_int(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        dump_keyword(kw, f);
        fprintf(f, "%d\n", *(const int *) field);
}

void config_dump_unsigned(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        dump_keyword(kw, f);
        fprintf(f, "%u\n", *(const unsigned *) field);
}

void config_dump_string(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        const char *s = *(char *const *) field;
        dump_keyword(kw, f);
        fprintf(f, "%s\n", s ?: "none");
}

void config_dump_ports(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        for (size_t i = 0; i < c->n_ports; i++) {
                dump_keyword(kw, f);
                fprintf(f, "%u\n", c->ports[i]);
        }
}

static void dump_listen_one(const ConfigKeyword *kw, const char *host, uint16_t port, FILE *f) {
        dump_keyword(kw, f);
        if (strchr(host, ':'))
                fprintf(f, "[%s]:%u\n", host, port);
        else
                fprintf(f, "%s:%u\n", host, port);
}

/* As OpenSSH: one line per address and port; no ListenAddress means the wildcards of AddressFamily. */
void config_dump_listen_addresses(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        if (c->n_listen == 0)
                for (size_t p = 0; p < c->n_ports; p++) {
                        if (c->address_family != AF_INET)
                                dump_listen_one(kw, "::", c->ports[p], f);
                        if (c->address_family != AF_INET6)
                                dump_listen_one(kw, "0.0.0.0", c->ports[p], f);
                }
        for (size_t i = 0; i < c->n_listen; i++) {
                if (c->listen[i].port != 0)
                        dump_listen_one(kw, c->listen[i].host, c->listen[i].port, f);
                else
                        for (size_t p = 0; p < c->n_ports; p++)
                                dump_listen_one(kw, c->listen[i].host, c->ports[p], f);
        }
}

void config_dump_host_keys(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        for (size_t i = 0; i < c->n_hostkeys; i++) {
                dump_keyword(kw, f);
                fprintf(f, "%s\n", c->hostkeys[i]);
        }
}

/* -T: one "hostcertificate PATH" line each, none when there is none (OpenSSH's dump_cfg_strarray). */
void config_dump_host_certificates(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        for (size_t i = 0; i < c->n_host_certificates; i++) {
                dump_keyword(kw, f);
                fprintf(f, "%s\n", c->host_certificates[i]);
        }
}

void config_dump_access_list(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        size_t n = *config_access_list_count((Config *) c, field);
        char *const *list = field;
        for (size_t i = 0; i < n; i++) {
                dump_keyword(kw, f);
                fprintf(f, "%s\n", list[i]);
        }
}

void config_dump_authentication_methods(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        dump_keyword(kw, f);
        if (c->n_authentication_methods == 0)
                fputs("any", f);
        for (size_t i = 0; i < c->n_authentication_methods; i++)
                fprintf(f, "%s%s", i > 0 ? " " : "", c->authentication_methods[i]);
        fputc('\n', f);
}

void config_dump_authorized_keys_files(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        dump_keyword(kw, f);
        if (c->n_authorized_keys_files == 0)
                fputs("none", f);
        for (size_t i = 0; i < c->n_authorized_keys_files; i++)
                fprintf(f, "%s%s", i > 0 ? " " : "", c->authorized_keys_files[i]);
        fputc('\n', f);
}

void config_dump_address_family(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        int family = *(const int *) field;
        const char *name = "unknown";
        for (size_t i = 0; i < ELEMENTSOF(config_address_families); i++)
                if (config_address_families[i].family == family)
                        name = config_address_families[i].name;
        dump_keyword(kw, f);
        fprintf(f, "%s\n", name);
}

void config_dump_permit_root_login(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        PermitRootLogin p = *(const PermitRootLogin *) field;
        dump_keyword(kw, f);
        /* OpenSSH 9.2's -T still prints prohibit-password by its old name. */
        fprintf(f, "%s\n", p == PERMIT_ROOT_PROHIBIT_PASSWORD ? "without-password" :
                           permit_root_login_to_string(p) ?: "unknown");
}

void config_dump_log_level(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        LogLevel l = *(const LogLevel *) field;
        dump_keyword(kw, f);
        /* OpenSSH's spellings in -T: QUIET is SILENT, DEBUG1 is DEBUG. */
        fprintf(f, "%s\n", l == LOG_LEVEL_QUIET ? "SILENT" : l == LOG_LEVEL_DEBUG1 ? "DEBUG" :
                           log_level_to_string(l) ?: "unknown");
}

void config_dump_subsystems(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        for (size_t i = 0; i < c->n_subsystems; i++) {
                dump_keyword(kw, f);
                fprintf(f, "%s %s\n", c->subsystems[i].name, c->subsystems[i].command);
        }
}

void config_dump_accept_env(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        for (size_t i = 0; i < c->n_accept_env; i++) {
                dump_keyword(kw, f);
                fprintf(f, "%s\n", c->accept_env[i]);
        }
}

void config_dump_set_env(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        /* As sshd -T: one line per assignment, as it is (not quoted). */
        for (size_t i = 0; i < c->n_set_env; i++) {
                dump_keyword(kw, f);
                fprintf(f, "%s\n", c->set_env[i]);
        }
}

void config_dump_permit_user_environment(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        const char *v = *(char *const *) field;
        dump_keyword(kw, f);
        fprintf(f, "%s\n", v ?: "no");
}

void config_dump_channel_timeouts(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        const ChannelTimeouts *t = field;
        if (t->n == 0)
                return;         /* as OpenSSH 9.2's sshd -T: no line for none */
        dump_keyword(kw, f);
        for (size_t i = 0; i < t->n; i++)
                fprintf(f, "%s%s", i > 0 ? " " : "", t->entries[i]);
        fputc('\n', f);
}

void config_dump_max_startups(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        const MaxStartups *m = field;
        dump_keyword(kw, f);
        fprintf(f, "%u:%u:%u\n", m->begin, m->rate, m->full);
}

void config_dump_per_source_max_startups(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        unsigned v = *(const unsigned *) field;
        dump_keyword(kw, f);
        if (v == CONFIG_UNLIMITED)
                fputs("none\n", f);
        else
                fprintf(f, "%u\n", v);
}

void config_dump_net_block_size(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        const NetBlockSize *b = field;
        dump_keyword(kw, f);
        fprintf(f, "%u:%u\n", b->ipv4, b->ipv6);
}

/* OpenSSH 9.8's -T line, in its order. */
void config_dump_penalties(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        const PerSourcePenalties *p = field;
        dump_keyword(kw, f);
        if (!p->enabled) {
                fputs("no\n", f);
                return;
        }
        fprintf(f, "crash:%u authfail:%u noauth:%u grace-exceeded:%u max:%u min:%u max-sources4:%u "
                "max-sources6:%u overflow:%s overflow6:%s\n", p->crash, p->authfail, p->noauth, p->grace_exceeded,
                p->max, p->min, p->max_sources4, p->max_sources6, p->overflow_deny_all ? "deny-all" : "permissive",
                p->overflow6_deny_all ? "deny-all" : "permissive");
}

void config_dump_algorithms(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        const char *s = *(char *const *) field;
        int cls = algorithm_class_by_keyword(kw->name);
        dump_keyword(kw, f);
        fprintf(f, "%s\n", s ?: cls >= 0 ? algorithms_default((AlgorithmClass) cls) : "");
}

/* OpenSSH's -T line: "streamlocalbindmask 0177" (dump_cfg_oct). */
void config_dump_octal_mask(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        dump_keyword(kw, f);
        fprintf(f, "0%o\n", *(const unsigned *) field);
}

/* OpenSSH's -T line: "rekeylimit BYTES SECONDS". */
void config_dump_forward_directions(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        static const char *const names[] = { "no", "local", "remote", "yes" };
        dump_keyword(kw, f);
        fprintf(f, "%s\n", names[*(const ForwardDirections *) field & FORWARD_DIRECTION_ALL]);
}

void config_dump_gateway_ports(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        static const char *const names[_GATEWAY_PORTS_MAX] = { "no", "yes", "clientspecified" };
        GatewayPorts g = *(const GatewayPorts *) field;
        dump_keyword(kw, f);
        fprintf(f, "%s\n", g < _GATEWAY_PORTS_MAX ? names[g] : "unknown");
}

void config_dump_permit_list(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        const PermitList *l = field;
        dump_keyword(kw, f);
        if (l->n == 0)
                fputs("any", f);
        /* A PermitListen port alone is "*:PORT" to OpenSSH, and -T prints it so. */
        bool listen = streq(kw->name, "PermitListen");
        for (size_t i = 0; i < l->n; i++) {
                bool port_only = listen && !strchr(l->entries[i], ':') && !streq(l->entries[i], "none");
                fprintf(f, "%s%s%s", i > 0 ? " " : "", port_only ? "*:" : "", l->entries[i]);
        }
        fputc('\n', f);
}

/* A time whose 0 means none (UnusedConnectionTimeout): "none", as sshd -T prints it. */
void config_dump_unsigned_or_none(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        unsigned v = *(const unsigned *) field;
        dump_keyword(kw, f);
        if (v == 0)
                fputs("none\n", f);
        else
                fprintf(f, "%u\n", v);
}

void config_dump_rekey_limit(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        const RekeyLimit *l = field;
        dump_keyword(kw, f);
        fprintf(f, "%llu %u\n", (unsigned long long) l->data, l->interval);
}
