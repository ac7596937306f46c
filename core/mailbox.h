/*
 * mailbox.h - email addresses as the [mail] configuration gives them.
 *
 * A mailbox is "local@domain" or "Display Name <local@domain>" (RFC 5322
 * name-addr / addr-spec), in a comma-separated list.  The address is kept to
 * what every SMTP server takes without extensions: an ASCII dot-atom local
 * part and a domain of letters, digits and hyphens (no quoted local parts,
 * no domain literals, no SMTPUTF8).  A display name is plain UTF-8 text
 * without , " < > \ or control characters, so a list splits on commas and a
 * name can never carry a header line of its own; it is encoded (RFC 2047)
 * when the message is written (reports/mail.c).
 *
 * The configuration checks every address here when it is loaded, and the
 * message builder reads them with the same function, so an address that
 * passed `catwalk check` is the address that is sent to.
 */
#ifndef CW_MAILBOX_H
#define CW_MAILBOX_H

#include <stddef.h>

#define CW_MAILBOX_MAX 320      /* bytes of a mailbox as written, name included */

typedef struct cw_mailbox {
    char name[CW_MAILBOX_MAX + 1];      /* display name, "" when none */
    char addr[CW_MAILBOX_MAX + 1];      /* local@domain */
} cw_mailbox;

/* Read one mailbox (surrounding spaces ignored).  0, or -1 with a reason
 * ("no '@'", ...) in why (may be NULL) naming nothing but the rule broken. */
int cw_mailbox_parse(const char *text, cw_mailbox *out, const char **why);

/* The domain part of an address (after the last '@'), or "" when none. */
const char *cw_mailbox_domain(const char *addr);

#endif
