/* See ssh-cert.h. Every field is read through common/wire.h's bounds-checked reader; the certified key
 * and the CA key are re-read by ssh_key_from_blob(), which accepts exactly one encoding of each. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/algorithms.h"
#include "common/macro.h"
#include "common/net-addr.h"
#include "common/wire.h"
#include "monitor/ssh-cert.h"

#define CERT_SUFFIX "-cert-v01@openssh.com"
#define CERT_MAX_BLOB 16384u            /* AUTH_MAX_KEY_BLOB */
#define CERT_MAX_NONCE 256u             /* ssh-keygen writes 32 bytes */
#define CERT_MAX_KEY_ID 1024u
#define CERT_MAX_NAME 256u              /* a principal, an option's name */
#define CERT_MAX_OPTION 4096u           /* an option's data: a forced command, an address list */
#define CA_MIN_RSA_BITS 1024u           /* OpenSSH's SSH_RSA_MINIMUM_MODULUS_SIZE, for CA keys */

static const struct {
        const char *name;               /* the certificate's key type */
        SshKeyType plain;
        unsigned n_fields;              /* the certified key's fields, after the nonce */
        const char *label;              /* OpenSSH's sshkey_type() */
} cert_types[] = {
        { "ssh-ed25519-cert-v01@openssh.com",            SSH_KEY_ED25519,       1, "ED25519-CERT" },
        { "ecdsa-sha2-nistp256-cert-v01@openssh.com",    SSH_KEY_ECDSA_P256,    2, "ECDSA-CERT" },
        { "ecdsa-sha2-nistp384-cert-v01@openssh.com",    SSH_KEY_ECDSA_P384,    2, "ECDSA-CERT" },
        { "ecdsa-sha2-nistp521-cert-v01@openssh.com",    SSH_KEY_ECDSA_P521,    2, "ECDSA-CERT" },
        { "ssh-rsa-cert-v01@openssh.com",                SSH_KEY_RSA,           2, "RSA-CERT" },
        { "sk-ssh-ed25519-cert-v01@openssh.com",         SSH_KEY_SK_ED25519,    2, "ED25519-SK-CERT" },
        { "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", SSH_KEY_SK_ECDSA_P256, 3, "ECDSA-SK-CERT" },
};

/* Public key algorithms of certificates and the signature algorithm each signs with. */
static const struct {
        const char *alg;
        const char *plain;
} cert_algorithms[] = {
        { "ssh-ed25519-cert-v01@openssh.com",            "ssh-ed25519" },
        { "ecdsa-sha2-nistp256-cert-v01@openssh.com",    "ecdsa-sha2-nistp256" },
        { "ecdsa-sha2-nistp384-cert-v01@openssh.com",    "ecdsa-sha2-nistp384" },
        { "ecdsa-sha2-nistp521-cert-v01@openssh.com",    "ecdsa-sha2-nistp521" },
        { "rsa-sha2-512-cert-v01@openssh.com",           "rsa-sha2-512" },
        { "rsa-sha2-256-cert-v01@openssh.com",           "rsa-sha2-256" },
        { "ssh-rsa-cert-v01@openssh.com",                "ssh-rsa" },
        { "sk-ssh-ed25519-cert-v01@openssh.com",         "sk-ssh-ed25519@openssh.com" },
        { "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com" },
};

bool ssh_cert_is_cert_name(const char *name) {
        size_t n = name ? strlen(name) : 0, s = strlen(CERT_SUFFIX);
        return n > s && streq(name + n - s, CERT_SUFFIX);
}

static int cert_type_index(const uint8_t *name, size_t len) {
        for (size_t i = 0; i < ELEMENTSOF(cert_types); i++)
                if (strlen(cert_types[i].name) == len && memcmp(cert_types[i].name, name, len) == 0)
                        return (int) i;
        return -1;
}

bool ssh_cert_blob_is_cert(const uint8_t *blob, size_t len) {
        WireReader r = wire_reader(blob, len);
        const uint8_t *name;
        size_t n;
        if (wire_get_blob_ref(&r, 64, &name, &n) < 0)
                return false;
        size_t s = strlen(CERT_SUFFIX);
        return n > s && memcmp(name + n - s, CERT_SUFFIX, s) == 0;
}

const char *ssh_cert_blob_type(const uint8_t *blob, size_t len) {
        WireReader r = wire_reader(blob, len);
        const uint8_t *name;
        size_t n;
        if (wire_get_blob_ref(&r, 64, &name, &n) < 0)
                return NULL;
        int t = cert_type_index(name, n);
        return t < 0 ? NULL : cert_types[t].name;
}

const char *ssh_cert_plain_algorithm(const char *alg) {
        for (size_t i = 0; alg && i < ELEMENTSOF(cert_algorithms); i++)
                if (streq(alg, cert_algorithms[i].alg))
                        return cert_algorithms[i].plain;
        return NULL;
}

const char *ssh_cert_type_label(const char *alg) {
        if (!alg)
                return NULL;
        if (streq(alg, "rsa-sha2-512-cert-v01@openssh.com") || streq(alg, "rsa-sha2-256-cert-v01@openssh.com"))
                return "RSA-CERT";
        for (size_t i = 0; i < ELEMENTSOF(cert_types); i++)
                if (streq(alg, cert_types[i].name))
                        return cert_types[i].label;
        return NULL;
}

SshCert *ssh_cert_free(SshCert *c) {
        if (!c)
                return NULL;
        ssh_key_free(c->key);
        ssh_key_free(c->ca);
        free(c->key_id);
        strv_free(c->principals);
        free(c->force_command);
        free(c->source_address);
        free(c->options_error);
        for (size_t i = 0; i < c->n_unknown_extensions; i++)
                free(c->unknown_extensions[i]);
        free(c->signature_algorithm);
        free(c);
        return NULL;
}

static int get_u64(WireReader *r, uint64_t *ret) {
        uint32_t hi, lo;
        int e = wire_get_u32(r, &hi);
        if (e >= 0)
                e = wire_get_u32(r, &lo);
        if (e < 0)
                return e;
        *ret = (uint64_t) hi << 32 | lo;
        return 0;
}

int ssh_cert_match_cidr_list(const char *address, const char *list) {
        NetAddr a = {};
        bool have = address && net_addr_from_string(address, &a) >= 0;
        bool match = false;
        const char *p = list;
        if (!list)
                return -EINVAL;
        for (;;) {
                size_t n = strcspn(p, ",");
                char entry[128];
                if (n == 0 || n >= sizeof entry)
                        return -EINVAL;
                memcpy(entry, p, n);
                entry[n] = '\0';
                NetAddr net;
                unsigned bits;
                if (net_addr_parse_cidr(entry, &net, &bits) < 0)
                        return -EINVAL;
                if (have && !match) {
                        /* One entry at a time through the list matcher, which knows prefixes. */
                        int r = net_addr_match_list(&a, entry);
                        if (r < 0 && r != -1)
                                return -EINVAL;
                        match = r == 1;
                }
                if (p[n] == '\0')
                        break;
                p += n + 1;
        }
        return match ? 1 : 0;
}

/* The first reason the options cannot be honoured: before, the option's name, after. */
static int set_options_error(SshCert *c, const char *before, const char *name, const char *after) {
        if (c->options_error)
                return 0;
        size_t a = strlen(before), b = strlen(name), n = a + b + strlen(after) + 1;
        c->options_error = malloc(n);
        if (!c->options_error)
                return -ENOMEM;
        memcpy(c->options_error, before, a);
        memcpy(c->options_error + a, name, b);
        strcpy(c->options_error + a + b, after);
        return 0;
}

/* The critical options or the extensions: (string name, string data) pairs. The layout must hold (a
 * malformed section is a malformed certificate); what they say is judged as OpenSSH's
 * sshauthopt_from_cert() judges it, into c->options_error. */
static int parse_options(SshCert *c, const uint8_t *p, size_t n, bool critical) {
        WireReader r = wire_reader(p, n);
        while (r.pos < r.size) {
                const uint8_t *name_p, *data;
                size_t name_len, data_len;
                if (wire_get_blob_ref(&r, CERT_MAX_NAME, &name_p, &name_len) < 0 ||
                    wire_get_blob_ref(&r, CERT_MAX_OPTION, &data, &data_len) < 0)
                        return -EBADMSG;
                if (memchr(name_p, 0, name_len))
                        return -EBADMSG;
                char name[CERT_MAX_NAME + 1];
                memcpy(name, name_p, name_len);
                name[name_len] = '\0';
                WireReader d = wire_reader(data, data_len);
                int e = 0;
                bool found = true;
                if (!critical) {
                        static const struct {
                                const char *name;
                                unsigned flag;
                        } exts[] = {
                                { "no-touch-required", SSH_CERT_NO_TOUCH_REQUIRED },
                                { "permit-X11-forwarding", SSH_CERT_PERMIT_X11_FORWARDING },
                                { "permit-agent-forwarding", SSH_CERT_PERMIT_AGENT_FORWARDING },
                                { "permit-port-forwarding", SSH_CERT_PERMIT_PORT_FORWARDING },
                                { "permit-pty", SSH_CERT_PERMIT_PTY },
                                { "permit-user-rc", SSH_CERT_PERMIT_USER_RC },
                        };
                        found = false;
                        for (size_t i = 0; i < ELEMENTSOF(exts); i++)
                                if (streq(name, exts[i].name)) {
                                        c->extensions |= exts[i].flag;
                                        found = true;
                                }
                        /* An unknown extension grants nothing we would do: ignored, as OpenSSH,
                         * which names it in the log (the first few are kept for that). */
                        if (!found) {
                                if (c->n_unknown_extensions < SSH_CERT_MAX_UNKNOWN_EXTENSIONS) {
                                        char *copy = strdup(name);
                                        if (!copy)
                                                return -ENOMEM;
                                        c->unknown_extensions[c->n_unknown_extensions++] = copy;
                                }
                                continue;
                        }
                } else if (streq(name, "verify-required"))
                        c->verify_required = true;
                else if (streq(name, "force-command") || streq(name, "source-address")) {
                        bool fc = streq(name, "force-command");
                        char **field = fc ? &c->force_command : &c->source_address;
                        _cleanup_free_ char *value = NULL;
                        if (wire_get_string(&d, CERT_MAX_OPTION, &value) < 0) {
                                if (d.error == -ENOMEM)
                                        return -ENOMEM;
                                e = set_options_error(c, "Unable to parse \"", name, "\" section");
                        } else if (*field)
                                e = set_options_error(c, "Certificate has multiple ", name, " options");
                        else if (!fc && ssh_cert_match_cidr_list(NULL, value) < 0)
                                e = set_options_error(c, "Certificate source-address contents invalid", "", "");
                        else
                                *field = TAKE_PTR(value);
                } else {
                        e = set_options_error(c, "Certificate critical option \"", name, "\" is not supported");
                        continue;
                }
                if (e < 0)
                        return e;
                if (d.pos != d.size && (e = set_options_error(c, "Certificate option \"", name,
                                                              "\" corrupt (extra data)")) < 0)
                        return e;
        }
        return 0;
}

static int parse_principals(SshCert *c, const uint8_t *p, size_t n) {
        WireReader r = wire_reader(p, n);
        size_t count = 0;
        const uint8_t *s;
        size_t sl;
        while (r.pos < r.size) {
                if (count >= SSH_CERT_MAX_PRINCIPALS || wire_get_blob_ref(&r, CERT_MAX_NAME, &s, &sl) < 0)
                        return -EBADMSG;
                count++;
        }
        c->principals = calloc(count + 1, sizeof(char *));
        if (!c->principals)
                return -ENOMEM;
        r = wire_reader(p, n);
        for (size_t i = 0; i < count; i++) {
                int e = wire_get_string(&r, CERT_MAX_NAME, &c->principals[i]);
                if (e < 0)
                        return e == -ENOMEM ? e : -EBADMSG;
        }
        c->n_principals = count;
        return 0;
}

int ssh_cert_parse(const uint8_t *blob, size_t len, unsigned min_rsa_bits, SshCert **ret,
                   const char **ret_why) {
        const char *why_dummy;
        if (!ret_why)
                ret_why = &why_dummy;
        *ret_why = "invalid format";
        if (len > CERT_MAX_BLOB)
                return -EBADMSG;
        WireReader r = wire_reader(blob, len);
        const uint8_t *name, *nonce, *field, *key_id, *principals, *crit, *exts, *reserved, *ca, *sig;
        size_t name_len, nonce_len, field_len, key_id_len, principals_len, crit_len, exts_len, reserved_len,
               ca_len, sig_len;
        if (wire_get_blob_ref(&r, 64, &name, &name_len) < 0)
                return -EBADMSG;
        int t = cert_type_index(name, name_len);
        if (t < 0) {
                *ret_why = "unknown or unsupported key type";
                return -EPROTONOSUPPORT;
        }
        if (wire_get_blob_ref(&r, CERT_MAX_NONCE, &nonce, &nonce_len) < 0)
                return -EBADMSG;

        /* The certified key: its fields as they stand, then re-read as a plain key blob. */
        size_t fields_start = r.pos;
        for (unsigned i = 0; i < cert_types[t].n_fields; i++)
                if (wire_get_blob_ref(&r, CERT_MAX_BLOB, &field, &field_len) < 0)
                        return -EBADMSG;
        size_t fields_len = r.pos - fields_start;

        _cleanup_(ssh_cert_freep) SshCert *c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->type_label = cert_types[t].label;
        if (get_u64(&r, &c->serial) < 0 || wire_get_u32(&r, &c->type) < 0 ||
            wire_get_blob_ref(&r, CERT_MAX_KEY_ID, &key_id, &key_id_len) < 0 ||
            wire_get_blob_ref(&r, CERT_MAX_BLOB, &principals, &principals_len) < 0 ||
            get_u64(&r, &c->valid_after) < 0 || get_u64(&r, &c->valid_before) < 0 ||
            wire_get_blob_ref(&r, CERT_MAX_BLOB, &crit, &crit_len) < 0 ||
            wire_get_blob_ref(&r, CERT_MAX_BLOB, &exts, &exts_len) < 0 ||
            wire_get_blob_ref(&r, CERT_MAX_BLOB, &reserved, &reserved_len) < 0 ||
            wire_get_blob_ref(&r, CERT_MAX_BLOB, &ca, &ca_len) < 0)
                return -EBADMSG;
        size_t signed_len = r.pos;
        if (wire_get_blob_ref(&r, CERT_MAX_BLOB, &sig, &sig_len) < 0 || wire_end(&r) < 0)
                return -EBADMSG;
        if (c->type != SSH_CERT_TYPE_USER && c->type != SSH_CERT_TYPE_HOST) {
                *ret_why = "unknown certificate type";
                return -EBADMSG;
        }
        if (memchr(key_id, 0, key_id_len))
                return -EBADMSG;
        c->key_id = strndup((const char *) key_id, key_id_len);
        if (!c->key_id)
                return -ENOMEM;
        int e = parse_principals(c, principals, principals_len);
        if (e >= 0)
                e = parse_options(c, crit, crit_len, true);
        if (e >= 0)
                e = parse_options(c, exts, exts_len, false);
        if (e < 0)
                return e;

        const char *plain_name = ssh_key_type_name(cert_types[t].plain);
        size_t pn = strlen(plain_name), plain_len = 4 + pn + fields_len;
        _cleanup_free_ uint8_t *plain = malloc(plain_len);
        if (!plain)
                return -ENOMEM;
        plain[0] = plain[1] = 0;
        plain[2] = (uint8_t) (pn >> 8);
        plain[3] = (uint8_t) pn;
        memcpy(plain + 4, plain_name, pn);
        memcpy(plain + 4 + pn, blob + fields_start, fields_len);
        e = ssh_key_from_blob(plain, plain_len, min_rsa_bits, &c->key);
        if (e < 0) {
                *ret_why = e == -EKEYREJECTED ? "Invalid key length" : "invalid format";
                return e == -ENOMEM ? e : e == -EKEYREJECTED ? e : -EBADMSG;
        }

        /* The CA: a plain key (a certificate's type is not in ssh-key.c's table, so a CA that is a
         * certificate fails here, as OpenSSH's sshkey_type_is_valid_ca() refuses it). */
        e = ssh_key_from_blob(ca, ca_len, CA_MIN_RSA_BITS, &c->ca);
        if (e < 0) {
                *ret_why = "invalid certificate signing key";
                return e == -ENOMEM ? e : -EKEYREJECTED;
        }
        WireReader sr = wire_reader(sig, sig_len);
        e = wire_get_string(&sr, 64, &c->signature_algorithm);
        if (e < 0)
                return e == -ENOMEM ? e : -EBADMSG;
        if (!ssh_key_algorithm_matches(c->ca, c->signature_algorithm)) {
                *ret_why = "incorrect signature";
                return -EKEYREJECTED;
        }
        SshSkSignature sk = {};
        e = ssh_key_verify(c->ca, c->signature_algorithm, sig, sig_len, blob, signed_len, &sk);
        if (e < 0) {
                *ret_why = "incorrect signature";
                return e == -ENOMEM ? e : -EKEYREJECTED;
        }
        *ret_why = NULL;
        *ret = TAKE_PTR(c);
        return 0;
}

int ssh_cert_check_authority(const SshCert *c, time_t now, bool require_principal, const char *name,
                             const char **ret_reason) {
        if (c->type != SSH_CERT_TYPE_USER) {
                *ret_reason = "Certificate invalid: not a user certificate";
                return -EPERM;
        }
        if (now < 0 || (uint64_t) now < c->valid_after) {
                *ret_reason = "Certificate invalid: not yet valid";
                return -EPERM;
        }
        if ((uint64_t) now >= c->valid_before) {
                *ret_reason = "Certificate invalid: expired";
                return -EPERM;
        }
        if (c->n_principals == 0) {
                if (require_principal) {
                        *ret_reason = "Certificate lacks principal list";
                        return -EPERM;
                }
        } else if (name) {
                bool found = false;
                for (size_t i = 0; i < c->n_principals && !found; i++)
                        found = streq(c->principals[i], name);
                if (!found) {
                        *ret_reason = "Certificate invalid: name is not a listed principal";
                        return -EPERM;
                }
        }
        return 0;
}

int ssh_cert_add_plain_algorithms(const char *list, char **ret) {
        size_t cap = strlen(list) + 1;
        for (size_t i = 0; i < ELEMENTSOF(cert_algorithms); i++)
                cap += strlen(cert_algorithms[i].plain) + 1;
        _cleanup_free_ char *out = malloc(cap);
        if (!out)
                return -ENOMEM;
        strcpy(out, list);
        for (size_t i = 0; i < ELEMENTSOF(cert_algorithms); i++)
                if (algorithms_list_contains(list, cert_algorithms[i].alg) &&
                    !algorithms_list_contains(out, cert_algorithms[i].plain)) {
                        strcat(out, ",");
                        strcat(out, cert_algorithms[i].plain);
                }
        *ret = TAKE_PTR(out);
        return 0;
}
