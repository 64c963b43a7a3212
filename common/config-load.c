/*
 * Reading the configuration: a line is split in place into a keyword and its arguments with
 * OpenSSH's rules: blanks or one '=' after the keyword; double or single quotes group an argument; a
 * backslash before a quote, a backslash or (outside quotes) a blank makes it literal; a '#' at the start
 * of an argument ends the line. The keyword is looked up, case-insensitively, in config_keywords[], the
 * aliases and config_unsupported[]; anything else is "Bad configuration option", as in OpenSSH. The
 * first error stops loading: a daemon that half-understood its configuration must not start.
 *
 * Also here: files and Include, the command-line options -o and -p, and the image of all of it that
 * the listener hands to each connection's monitor.
 */

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config-internal.h"
#include "common/config.h"
#include "common/fd-util.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/wire.h"

/* OpenSSH's rule: a relative Include pattern is relative to its configuration directory, whichever
 * file it appears in. privsshd keeps that rule so that Debian's files can be used unchanged. */
#define CONFIG_INCLUDE_DIR "/etc/ssh"

/*
 * The image of what was parsed between config_image_begin() and config_image_end(): each command-line
 * option (-o, and -p apart), and every line of the files that is not blank or a comment, in the order
 * parsed, Include'd files' lines in place after their Include line (or -o Include), and before the lines
 * of each stretch of one file, that file's name. Replaying it (config_load_image) parses the same options
 * and lines with the same names and numbers and skips the Include lines themselves, whose files' lines
 * follow them.
 *
 *   string CONFIG_IMAGE_MAGIC
 *   then records: u8 CONFIG_IMAGE_FILE, string path | u8 CONFIG_IMAGE_LINE, u32 line number, string text
 *               | u8 CONFIG_IMAGE_OPTION, string option | u8 CONFIG_IMAGE_PORT, string port (-p)
 *               | u8 CONFIG_IMAGE_BEGIN | u8 CONFIG_IMAGE_END
 *
 * BEGIN and END enclose the lines of each Include'd file: Match state does not cross a file's end
 * (config-match.c), so the replay must know where each one starts and ends.
 */
#define CONFIG_IMAGE_MAGIC "privsshd configuration image 2"
enum {
        CONFIG_IMAGE_FILE = 1,
        CONFIG_IMAGE_LINE = 2,
        CONFIG_IMAGE_OPTION = 3,
        CONFIG_IMAGE_PORT = 4,
        CONFIG_IMAGE_BEGIN = 5,
        CONFIG_IMAGE_END = 6,
};

typedef struct ConfigRecorder {
        WireWriter w;
        unsigned n_files;       /* load_file() calls so far: each one's number tells stretches apart */
        unsigned current;       /* the number of the file the last FILE record named, 0 = none since */
} ConfigRecorder;

static int load_file(Config *c, const char *path, const ConfigContext *parent);

static int include_one(ConfigContext *ctx, const char *pattern) {
        const char *root = ctx->config->include_root;
        _cleanup_free_ char *full = NULL;
        glob_t g = {};
        int r;

        if (asprintf(&full, "%s%s%s", root ?: "", pattern[0] == '/' ? "" : CONFIG_INCLUDE_DIR "/", pattern) < 0)
                return -ENOMEM;

        r = glob(full, 0, NULL, &g);
        if (r == GLOB_NOMATCH) {
                /* As in OpenSSH: a pattern that matches nothing is fine (an empty sshd_config.d). */
                log_debug("%s:%u: Include \"%s\" matched no files", ctx->file ?: "command line", ctx->line,
                          full);
                globfree(&g);
                return 0;
        }
        if (r != 0) {
                globfree(&g);
                if (r == GLOB_NOSPACE)
                        return -ENOMEM;
                return config_error(ctx, "Include \"%s\": cannot read the directory", full);
        }

        r = 0;
        for (size_t i = 0; i < g.gl_pathc; i++) {
                if (ctx->depth >= CONFIG_MAX_INCLUDE_DEPTH) {
                        r = config_error(ctx, "Include nested too deeply (at most %d levels): \"%s\"",
                                         CONFIG_MAX_INCLUDE_DEPTH, g.gl_pathv[i]);
                        break;
                }
                r = load_file(ctx->config, g.gl_pathv[i], ctx);
                if (r < 0)
                        break;
        }
        globfree(&g);
        return r;
}

int config_parse_include(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        for (size_t i = 0; i < n; i++) {
                if (isempty(args[i]))
                        return config_invalid_value(ctx, kw->name, args[i]);
                if (ctx->replay)
                        continue;       /* the image holds the files' lines right after this one */
                int r = include_one(ctx, args[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/*
 * Split `s` in place into arguments (see the top of the file for the rules). `args` must have room
 * for strlen(s) / 2 + 1 entries. -EINVAL for an unterminated quote.
 */
static int split_args(char *s, char **args, size_t *ret_n) {
        char *r = s, *w = s;
        size_t n = 0;

        for (;;) {
                while (config_is_blank(*r))
                        r++;
                if (*r == '\0' || *r == '#')
                        break;

                char quote = 0;
                args[n++] = w;
                for (;;) {
                        char ch = *r;
                        if (ch == '\0') {
                                if (quote)
                                        return -EINVAL;
                                break;
                        }
                        if (!quote && config_is_blank(ch))
                                break;
                        if (ch == '\\' && (r[1] == '\\' || r[1] == '"' || r[1] == '\'' ||
                                           (!quote && r[1] != '\0' && config_is_blank(r[1])))) {
                                *w++ = r[1];
                                r += 2;
                        } else if (quote && ch == quote) {
                                quote = 0;
                                r++;
                        } else if (!quote && (ch == '"' || ch == '\'')) {
                                quote = ch;
                                r++;
                        } else
                                *w++ = *r++;
                }
                /* w <= r: the terminator overwrites a consumed character or the final NUL. */
                bool end = *r == '\0';
                *w++ = '\0';
                if (end)
                        break;
                r++;
        }
        *ret_n = n;
        return 0;
}

static int parse_line(ConfigContext *ctx, char *line, size_t len) {
        char *p = line;

        while (config_is_blank(*p))
                p++;
        if (*p == '\0' || *p == '#')
                return 0;

        char *keyword = p;
        while (*p && !config_is_blank(*p) && *p != '=')
                p++;
        if (p == keyword)
                return config_error(ctx, "missing keyword before \"=\"");
        if (*p) {
                bool equals = *p == '=';
                *p++ = '\0';
                while (config_is_blank(*p))
                        p++;
                if (!equals && *p == '=') {
                        p++;
                        while (config_is_blank(*p))
                                p++;
                }
        }

        _cleanup_free_ char **args = calloc(len / 2 + 2, sizeof(char *));
        _cleanup_free_ char *rest = strdup(p);
        if (!args || !rest)
                return -ENOMEM;
        for (size_t l = strlen(rest); l > 0 && config_is_blank(rest[l - 1]); l--)
                rest[l - 1] = '\0';
        ctx->rest = rest;
        size_t n = 0;
        if (split_args(p, args, &n) < 0)
                return config_error(ctx, "unterminated quote");

        int r = config_keywords_apply(ctx, keyword, args, n);
        ctx->rest = NULL;
        return r;
}

/* Add one line of the file numbered `file` (a FILE record first when the last stretch was another's). */
static void record_line(ConfigRecorder *rec, unsigned file, const char *path, unsigned line, const char *text,
                        size_t len) {
        const char *p = text;
        while (p < text + len && config_is_blank(*p))
                p++;
        if (p == text + len || *p == '#')
                return;         /* parse_line() ignores it */
        if (rec->current != file) {
                (void) wire_put_u8(&rec->w, CONFIG_IMAGE_FILE);
                (void) wire_put_string(&rec->w, path);
                rec->current = file;
        }
        (void) wire_put_u8(&rec->w, CONFIG_IMAGE_LINE);
        (void) wire_put_u32(&rec->w, line);
        (void) wire_put_blob(&rec->w, text, len);       /* the writer remembers a failure */
}

/* A command-line option or -p: the next file line names its file again. */
static void record_command_line(ConfigRecorder *rec, uint8_t tag, const char *text) {
        (void) wire_put_u8(&rec->w, tag);
        (void) wire_put_string(&rec->w, text);
        rec->current = 0;
}

/* One file: the main one (parent NULL) or one an Include line of `parent` names. */
static int load_file(Config *c, const char *path, const ConfigContext *parent) {
        ConfigContext ctx = { .config = c, .file = path, .depth = parent ? parent->depth + 1 : 0 };
        if (parent)
                config_match_include_state(parent, &ctx);
        ConfigRecorder *record = c->record;
        unsigned number = record ? ++record->n_files : 0;
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                r = negative_errno();
                log_error("%s: cannot open: %s", path, strerror(-r));
                return r;
        }
        r = read_full_fd(fd, CONFIG_MAX_FILE_SIZE, &data, &size);
        if (r == -EFBIG) {
                log_error("%s: file too large (more than %u bytes)", path, CONFIG_MAX_FILE_SIZE);
                return r;
        }
        if (r < 0) {
                log_error("%s: cannot read: %s", path, strerror(-r));
                return r;
        }

        if (record && parent) {
                (void) wire_put_u8(&record->w, CONFIG_IMAGE_BEGIN);
                record->current = 0;
        }
        for (char *p = data, *end = data + size; p < end;) {
                char *eol = memchr(p, '\n', (size_t) (end - p)) ?: end;
                size_t len = (size_t) (eol - p);

                ctx.line++;
                if (memchr(p, '\0', len))
                        return config_error(&ctx, "NUL byte in line");
                if (len > CONFIG_MAX_LINE)
                        return config_error(&ctx, "line too long (more than %u bytes)", CONFIG_MAX_LINE);
                *eol = '\0';    /* at `end` this is read_full_fd's terminator */
                if (record)
                        record_line(record, number, path, ctx.line, p, len);
                r = parse_line(&ctx, p, len);
                if (r < 0)
                        return r;
                p = eol + 1;
        }
        if (record && parent) {
                (void) wire_put_u8(&record->w, CONFIG_IMAGE_END);
                record->current = 0;
        }
        return 0;
}

int config_load_file(Config *c, const char *path) {
        return load_file(c, path, NULL);
}

static int keep_image(Config *c, const void *image, size_t size) {
        char *copy = malloc(size ?: 1);
        if (!copy)
                return -ENOMEM;
        memcpy(copy, image, size);
        free(c->image);
        c->image = copy;
        c->image_size = size;
        return 0;
}

ConfigRecorder *config_recorder_free(ConfigRecorder *rec) {
        if (rec) {
                wire_writer_done(&rec->w);
                free(rec);
        }
        return NULL;
}

int config_image_begin(Config *c) {
        if (c->record)
                return -EBUSY;
        ConfigRecorder *rec = calloc(1, sizeof *rec);
        if (!rec)
                return -ENOMEM;
        rec->w = wire_writer(CONFIG_MAX_IMAGE_SIZE);
        (void) wire_put_string(&rec->w, CONFIG_IMAGE_MAGIC);
        c->record = rec;
        return 0;
}

int config_image_end(Config *c, char **ret_image, size_t *ret_size) {
        ConfigRecorder *rec = TAKE_PTR(c->record);
        if (!rec)
                return -EINVAL;
        int r = rec->w.error;
        if (r == -EMSGSIZE) {
                log_error("The configuration, with what it includes, is too large to hand to connections "
                          "(more than %u bytes).", CONFIG_MAX_IMAGE_SIZE);
                r = -EFBIG;
        }
        if (r >= 0)
                r = keep_image(c, rec->w.data, rec->w.size);
        if (r >= 0) {
                *ret_image = (char *) TAKE_PTR(rec->w.data);
                *ret_size = rec->w.size;
        }
        config_recorder_free(rec);
        return r < 0 ? r : 0;
}

/* -p: a port, and every Port line of the files ignored. */
static int apply_port(ConfigContext *ctx, const char *port) {
        int r = config_add_port(ctx, config_keyword_find("Port"), port, true);
        if (r < 0)
                return r;
        ctx->config->ports_from_command_line = true;
        return 0;
}

/* A malformed image is not the operator's doing: the listener and this program disagree (an upgrade
 * between them) or something else stands in for the listener. */
static int image_malformed(const char *what) {
        log_error("the configuration handed over by the listener is malformed (%s)", what);
        return -EBADMSG;
}

int config_load_image_match(Config *c, const void *image, size_t size, const ConfigMatchInfo *match, bool quiet) {
        WireReader rd = wire_reader(image, size);
        _cleanup_free_ char *magic = NULL, *file = NULL;
        /* The Match state of the file being replayed and of the files that Include'd it. */
        ConfigContext stack[CONFIG_MAX_INCLUDE_DEPTH + 1];
        size_t depth = 0;
        int r;

        /* Second pass (Match): nothing applies before a matching Match line (OpenSSH's MATCH_ONLY). */
        stack[0] = (ConfigContext) { .config = c, .replay = true, .match = match, .inactive = match != NULL,
                                     .match_only = match != NULL, .quiet = quiet };
        if (wire_get_string(&rd, sizeof CONFIG_IMAGE_MAGIC, &magic) < 0 || !streq(magic, CONFIG_IMAGE_MAGIC))
                return image_malformed("not an image of this version of privsshd");
        while (rd.error == 0 && rd.pos < rd.size) {
                uint8_t tag;
                if (wire_get_u8(&rd, &tag) < 0)
                        break;
                if (tag == CONFIG_IMAGE_FILE) {
                        free(file);
                        file = NULL;
                        if (wire_get_string(&rd, CONFIG_MAX_IMAGE_SIZE, &file) < 0)
                                break;
                        continue;
                }
                if (tag == CONFIG_IMAGE_BEGIN) {
                        if (depth + 1 >= ELEMENTSOF(stack))
                                return image_malformed("Include nested too deeply");
                        stack[depth + 1] = (ConfigContext) { .config = c, .replay = true,
                                                             .depth = (unsigned) depth + 1 };
                        config_match_include_state(&stack[depth], &stack[depth + 1]);
                        depth++;
                        continue;
                }
                if (tag == CONFIG_IMAGE_END) {
                        if (depth == 0)
                                return image_malformed("the end of a file never begun");
                        depth--;
                        continue;
                }
                if (tag == CONFIG_IMAGE_OPTION || tag == CONFIG_IMAGE_PORT) {
                        _cleanup_free_ char *option = NULL;
                        if (wire_get_string(&rd, CONFIG_MAX_LINE, &option) < 0)
                                break;
                        if (depth != 0)
                                return image_malformed("an option inside a file");
                        if (match && tag == CONFIG_IMAGE_PORT)
                                continue;       /* the second pass takes nothing global */
                        ConfigContext ctx = stack[0];
                        ctx.file = NULL;
                        ctx.line = 0;
                        r = tag == CONFIG_IMAGE_PORT ? apply_port(&ctx, option) :
                                                       parse_line(&ctx, option, strlen(option));
                        if (r < 0)
                                return r;
                        continue;
                }
                if (tag != CONFIG_IMAGE_LINE)
                        return image_malformed("unknown record");
                uint32_t line;
                _cleanup_free_ char *text = NULL;
                if (wire_get_u32(&rd, &line) < 0 || wire_get_string(&rd, CONFIG_MAX_LINE, &text) < 0)
                        break;
                if (!file || !text)
                        return image_malformed("a line without a file");
                ConfigContext *ctx = &stack[depth];
                ctx->file = file;
                ctx->line = line;
                r = parse_line(ctx, text, strlen(text));
                ctx->file = NULL;
                if (r < 0)
                        return r;
        }
        if (wire_end(&rd) < 0 || depth != 0)
                return image_malformed("truncated");
        return 0;
}

int config_load_image(Config *c, const void *image, size_t size) {
        int r = config_load_image_match(c, image, size, NULL, false);
        return r < 0 ? r : keep_image(c, image, size);
}

int config_apply_option(Config *c, const char *option) {
        ConfigContext ctx = { .config = c };

        size_t len = strlen(option);
        if (len > CONFIG_MAX_LINE)
                return config_error(&ctx, "option too long (more than %u bytes)", CONFIG_MAX_LINE);
        const char *p = option + strspn(option, " \t\r\n");
        if (*p == '\0' || *p == '#')
                return config_error(&ctx, "empty option");

        _cleanup_free_ char *copy = strdup(option);
        if (!copy)
                return -ENOMEM;
        if (c->record)
                record_command_line(c->record, CONFIG_IMAGE_OPTION, option);
        return parse_line(&ctx, copy, len);
}

int config_apply_port(Config *c, const char *port) {
        ConfigContext ctx = { .config = c };
        if (c->record)
                record_command_line(c->record, CONFIG_IMAGE_PORT, port);
        return apply_port(&ctx, port);
}
