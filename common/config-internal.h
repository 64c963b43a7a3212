#pragma once
/*
 * What the files of the sshd_config parser share, and nobody else may use (config.h is the API).
 * The parser is split by job:
 *
 *   config.c             defaults (config_init), config_done, config_finish
 *   config-values.c      messages ("FILE:LINE: ...") and value parsers (yes/no, numbers, times, ports, names)
 *   config-parse.c       keyword parsers: plain types, authentication, sessions
 *   config-parse-net.c   keyword parsers: connection limits, algorithms, forwarding
 *   config-dump.c        the printers behind -T
 *   config-keywords.c    the keyword tables (config-keywords.h): lookup, "first value wins", the policy
 *                        for the OpenSSH keywords we do not implement, config_dump
 *   config-load.c        lines, files, Include, the configuration image handed to connections, -o, -p
 *   config-env.c         AcceptEnv / PermitUserEnvironment policy
 *   config-match.c       Match: criteria, the keywords allowed in a block, the second pass per connection
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/config.h"
#include "common/macro.h"

typedef struct ConfigContext ConfigContext;
typedef struct ConfigKeyword ConfigKeyword;

/* `field` is the row's Config field, or NULL when only the syntax is to be checked (a later
 * occurrence of a keyword whose first value wins). Multi-valued parsers always get the field. */
typedef int (*ConfigParseFn)(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n_args,
                             void *field);
typedef void (*ConfigDumpFn)(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);

enum {
        CONFIG_MULTI   = 1 << 0,        /* every occurrence is stored (accumulates); else the first wins */
        CONFIG_ONE_ARG = 1 << 1,        /* exactly one argument; more is an error */
        CONFIG_NO_ARG_OK = 1 << 2,      /* no argument is a value (PubkeyAuthOptions: none, as OpenSSH) */
};

struct ConfigKeyword {
        const char *name;
        ConfigParseFn parse;
        ConfigDumpFn dump;              /* NULL: not printed by -T (Include) */
        size_t offset;                  /* of the field in Config, or CONFIG_NO_FIELD */
        unsigned flags;
        long long min, max;             /* for numbers */
};

#define CONFIG_NO_FIELD SIZE_MAX

/* What a line is parsed in. */
struct ConfigContext {
        Config *config;
        const char *file;       /* NULL: a command-line option (-o, -p) */
        unsigned line;
        unsigned depth;         /* Include nesting: 0 for the main file and for -o */
        const char *rest;       /* the line after the keyword, as written (ForceCommand), while parsing it */
        bool replay;            /* config_load_image(): Include lines are followed by their files' lines */

        /* Match (config-match.c), OpenSSH's activep and SSHCFG_NEVERMATCH / SSHCFG_MATCH_ONLY. At load,
         * `match` is NULL and lines apply until a Match line that is not "Match All". In the second
         * pass (config_match_apply), `match` holds the connection's facts and only the lines of
         * matching Match blocks apply. */
        const ConfigMatchInfo *match;
        bool inactive;          /* in a Match block that does not apply: lines are only checked */
        bool never_match;       /* Included from such a block: no Match line in this file applies */
        bool match_only;        /* second pass, before this file's first Match line */
        bool quiet;             /* no warnings: said when the configuration was first loaded */
};

/* ---- config-values.c ---- */

/* "FILE:LINE: message" (or "command line: message"); returns -EINVAL. */
int config_error(const ConfigContext *ctx, const char *fmt, ...) _printf_(2, 3);
void config_warning(const ConfigContext *ctx, const char *fmt, ...) _printf_(2, 3);
int config_invalid_value(const ConfigContext *ctx, const char *keyword, const char *value);
bool config_is_blank(char ch);
int config_yes_no_from_string(const char *s);
int config_number_from_string(const char *s, long long min, long long max, long long *ret);
int config_time_from_string(const char *s, long long max, long long *ret);
int config_port_value(const ConfigContext *ctx, const char *keyword, const char *s, uint16_t *ret);
bool config_host_is_valid(const char *h);
bool config_name_is_valid(const char *s);
int config_path_make_absolute(const ConfigContext *ctx, const char *keyword, const char *path, char **ret);
void config_string_replace(char **field, char *value);

/* ---- config-parse.c, config-parse-net.c, config-load.c (Include): rows of config_keywords[] ---- */

#define CONFIG_PARSER(name) \
        int name(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field)
CONFIG_PARSER(config_parse_flag);
CONFIG_PARSER(config_parse_int);
CONFIG_PARSER(config_parse_unsigned);
CONFIG_PARSER(config_parse_time);
CONFIG_PARSER(config_parse_port);
CONFIG_PARSER(config_parse_listen_address);
CONFIG_PARSER(config_parse_address_family);
CONFIG_PARSER(config_parse_host_key);
CONFIG_PARSER(config_parse_pid_file);
CONFIG_PARSER(config_parse_authentication_methods);
CONFIG_PARSER(config_parse_access_list);
CONFIG_PARSER(config_parse_authorized_keys_file);
CONFIG_PARSER(config_parse_permit_root_login);
CONFIG_PARSER(config_parse_log_level);
CONFIG_PARSER(config_parse_use_pam);
CONFIG_PARSER(config_parse_subsystem);
CONFIG_PARSER(config_parse_include);
CONFIG_PARSER(config_parse_accept_env);
CONFIG_PARSER(config_parse_set_env);
CONFIG_PARSER(config_parse_command);
CONFIG_PARSER(config_parse_path_or_none);
CONFIG_PARSER(config_parse_name);
CONFIG_PARSER(config_parse_sandbox_directory);
CONFIG_PARSER(config_parse_max_startups);
CONFIG_PARSER(config_parse_per_source_max_startups);
CONFIG_PARSER(config_parse_net_block_size);
CONFIG_PARSER(config_parse_penalties);
CONFIG_PARSER(config_parse_address_list);
CONFIG_PARSER(config_parse_algorithms);
CONFIG_PARSER(config_parse_forward_directions);
CONFIG_PARSER(config_parse_gateway_ports);
CONFIG_PARSER(config_parse_permit_list);
CONFIG_PARSER(config_parse_rekey_limit);
CONFIG_PARSER(config_parse_permit_user_environment);
CONFIG_PARSER(config_parse_time_or_none);
CONFIG_PARSER(config_parse_channel_timeout);
CONFIG_PARSER(config_parse_pubkey_auth_options);
CONFIG_PARSER(config_parse_authorized_keys_command);
CONFIG_PARSER(config_parse_authorized_keys_command_user);
CONFIG_PARSER(config_parse_host_certificate);
/* As sshd at start-up: AuthorizedKeysCommand without AuthorizedKeysCommandUser is an error. */
int config_finish_keys_command(const Config *c);
CONFIG_PARSER(config_parse_octal_mask);

/* AddressFamily's words: "any", "inet", "inet6" (parsed and printed). */
typedef struct ConfigAddressFamily {
        const char *name;
        int family;
} ConfigAddressFamily;
#define CONFIG_N_ADDRESS_FAMILIES 3
extern const ConfigAddressFamily config_address_families[CONFIG_N_ADDRESS_FAMILIES];

int config_number_value(ConfigContext *ctx, const ConfigKeyword *kw, const char *s, long long *ret);
int config_add_port(ConfigContext *ctx, const ConfigKeyword *kw, const char *s, bool from_p);
size_t *config_access_list_count(Config *c, const void *field);
bool config_env_name_valid(const char *name, size_t len);
int config_replace_unless_none(void *field, const char *value, bool none);

/* ---- config-dump.c: the printers of config_keywords[] ---- */

#define CONFIG_PRINTER(name) \
        void name(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f)
CONFIG_PRINTER(config_dump_flag);
CONFIG_PRINTER(config_dump_int);
CONFIG_PRINTER(config_dump_unsigned);
CONFIG_PRINTER(config_dump_unsigned_or_none);
CONFIG_PRINTER(config_dump_string);
CONFIG_PRINTER(config_dump_ports);
CONFIG_PRINTER(config_dump_listen_addresses);
CONFIG_PRINTER(config_dump_address_family);
CONFIG_PRINTER(config_dump_host_keys);
CONFIG_PRINTER(config_dump_host_certificates);
CONFIG_PRINTER(config_dump_authorized_keys_files);
CONFIG_PRINTER(config_dump_authentication_methods);
CONFIG_PRINTER(config_dump_access_list);
CONFIG_PRINTER(config_dump_permit_root_login);
CONFIG_PRINTER(config_dump_log_level);
CONFIG_PRINTER(config_dump_subsystems);
CONFIG_PRINTER(config_dump_accept_env);
CONFIG_PRINTER(config_dump_set_env);
CONFIG_PRINTER(config_dump_max_startups);
CONFIG_PRINTER(config_dump_per_source_max_startups);
CONFIG_PRINTER(config_dump_net_block_size);
CONFIG_PRINTER(config_dump_penalties);
CONFIG_PRINTER(config_dump_algorithms);
CONFIG_PRINTER(config_dump_forward_directions);
CONFIG_PRINTER(config_dump_octal_mask);
CONFIG_PRINTER(config_dump_gateway_ports);
CONFIG_PRINTER(config_dump_permit_list);
CONFIG_PRINTER(config_dump_rekey_limit);
CONFIG_PRINTER(config_dump_permit_user_environment);
CONFIG_PRINTER(config_dump_channel_timeouts);
CONFIG_PRINTER(config_dump_pubkey_auth_options);

/* ---- config-keywords.c ---- */

/* The row of an implemented keyword or of an alias (case-insensitive); NULL if none. */
const ConfigKeyword *config_keyword_find(const char *name);
/* Was the keyword of this row given already (its first value won)? */
bool config_keyword_seen(const Config *c, const ConfigKeyword *kw);
/* One line's keyword and arguments: an implemented keyword is parsed into ctx->config, an unsupported
 * one gets its policy, anything else is "Bad configuration option". */
int config_keywords_apply(ConfigContext *ctx, const char *keyword, char **args, size_t n);

/* ---- config-match.c ---- */

CONFIG_PARSER(config_parse_match);
/* May this keyword (as written: aliases too) appear inside a Match block? OpenSSH 9.2's SSHCFG_MATCH. */
bool config_match_allowed(const char *keyword);
/* The Match state an Included file starts with, from the Include line's (OpenSSH's rules). */
void config_match_include_state(const ConfigContext *parent, ConfigContext *child);
/* For the unit test: -ENOENT, naming it, when an implemented keyword allowed in Match has no field to
 * hand over in config_match_apply() (it would be accepted in a Match block and have no effect). */
int config_match_check_fields(const char **ret_missing);

/* ---- config-load.c ---- */

/* Parse an image (config_image_end's format) into c, with the connection facts `match` (NULL: at load). */
int config_load_image_match(Config *c, const void *image, size_t size, const ConfigMatchInfo *match, bool quiet);

struct ConfigRecorder *config_recorder_free(struct ConfigRecorder *rec);
