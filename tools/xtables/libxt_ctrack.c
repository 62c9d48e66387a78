// SPDX-License-Identifier: GPL-2.0
/*
 * libxt_ctrack.c - iptables/ip6tables plugin of the "ctrack" match.
 *
 * Userspace half of "-m ctrack": it turns the command line into a
 * struct xt_ctrack_mtinfo1 (include/uapi/linux/netfilter/xt_ctrack.h,
 * revision 1) and back into text for "iptables -L" (print) and
 * "iptables -S" / iptables-save (save). The kernel half is
 * kmod/xt_ctrack.c; it reads the verdict that ctrack computed for the
 * very packet being filtered.
 *
 * Rules kept by this file:
 *  - The option ids equal the bit numbers of XT_CTRACK_*, so the option
 *    flags libxtables collects are the match_flags of the struct.
 *  - print and save walk the options in that same bit order, and save
 *    writes only what parses back to the very same bytes: addresses are
 *    stored already masked, IPv4 addresses and masks use their first
 *    four bytes only, and a single port or expiry value is stored as a
 *    range of one (min == max) and written back as one number.
 *  - One registration serves both families (NFPROTO_UNSPEC). The struct
 *    does not say which family its addresses are, so print and save ask
 *    libxtables (afinfo), which iptables and ip6tables set at start-up.
 *    That is why this file defines XTABLES_INTERNAL, as iptables' own
 *    extensions do; it also makes _init() a constructor.
 */
#define XTABLES_INTERNAL
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <xtables.h>
#include <linux/ctrack.h>
#include <linux/netfilter/xt_ctrack.h>

/* Option ids: the bit numbers of the XT_CTRACK_* flags. */
enum {
	O_CTSTATE,
	O_CTPROTO,
	O_CTORIGSRC,
	O_CTORIGDST,
	O_CTREPLSRC,
	O_CTREPLDST,
	O_CTORIGSRCPORT,
	O_CTORIGDSTPORT,
	O_CTREPLSRCPORT,
	O_CTREPLDSTPORT,
	O_CTSTATUS,
	O_CTEXPIRE,
	O_CTDIR,
	O_MAX,
};

_Static_assert(1 << O_CTSTATE == XT_CTRACK_STATE, "option id");
_Static_assert(1 << O_CTPROTO == XT_CTRACK_PROTO, "option id");
_Static_assert(1 << O_CTORIGSRC == XT_CTRACK_ORIGSRC, "option id");
_Static_assert(1 << O_CTREPLDST == XT_CTRACK_REPLDST, "option id");
_Static_assert(1 << O_CTORIGSRCPORT == XT_CTRACK_ORIGSRC_PORT, "option id");
_Static_assert(1 << O_CTREPLDSTPORT == XT_CTRACK_REPLDST_PORT, "option id");
_Static_assert(1 << O_CTSTATUS == XT_CTRACK_STATUS, "option id");
_Static_assert(1 << O_CTEXPIRE == XT_CTRACK_EXPIRES, "option id");
_Static_assert(1 << O_CTDIR == XT_CTRACK_DIR, "option id");
_Static_assert((1 << O_MAX) - 1 == XT_CTRACK_ALL, "option id");

#define F_ADDRS		(XT_CTRACK_ORIGSRC | XT_CTRACK_ORIGDST | \
			 XT_CTRACK_REPLSRC | XT_CTRACK_REPLDST)
#define F_PORTS		(XT_CTRACK_ORIGSRC_PORT | XT_CTRACK_ORIGDST_PORT | \
			 XT_CTRACK_REPLSRC_PORT | XT_CTRACK_REPLDST_PORT)

#define CTRACK_OPT(_name, _type, _id, _flags)	\
	{ .name = (_name), .type = (_type), .id = (_id), .flags = (_flags) }

static const struct xt_option_entry ctrack_mt_opts[] = {
	CTRACK_OPT("ctstate", XTTYPE_STRING, O_CTSTATE, XTOPT_INVERT),
	CTRACK_OPT("ctproto", XTTYPE_PROTOCOL, O_CTPROTO, XTOPT_INVERT),
	CTRACK_OPT("ctorigsrc", XTTYPE_HOSTMASK, O_CTORIGSRC, XTOPT_INVERT),
	CTRACK_OPT("ctorigdst", XTTYPE_HOSTMASK, O_CTORIGDST, XTOPT_INVERT),
	CTRACK_OPT("ctreplsrc", XTTYPE_HOSTMASK, O_CTREPLSRC, XTOPT_INVERT),
	CTRACK_OPT("ctrepldst", XTTYPE_HOSTMASK, O_CTREPLDST, XTOPT_INVERT),
	CTRACK_OPT("ctorigsrcport", XTTYPE_PORTRC, O_CTORIGSRCPORT,
		   XTOPT_INVERT),
	CTRACK_OPT("ctorigdstport", XTTYPE_PORTRC, O_CTORIGDSTPORT,
		   XTOPT_INVERT),
	CTRACK_OPT("ctreplsrcport", XTTYPE_PORTRC, O_CTREPLSRCPORT,
		   XTOPT_INVERT),
	CTRACK_OPT("ctrepldstport", XTTYPE_PORTRC, O_CTREPLDSTPORT,
		   XTOPT_INVERT),
	CTRACK_OPT("ctstatus", XTTYPE_STRING, O_CTSTATUS, XTOPT_INVERT),
	CTRACK_OPT("ctexpire", XTTYPE_UINT32RC, O_CTEXPIRE, XTOPT_INVERT),
	CTRACK_OPT("ctdir", XTTYPE_STRING, O_CTDIR, 0),
	XTOPT_TABLEEND,
};

/* A name of a --ctstate or --ctstatus list and its bit. */
struct ctrack_name {
	const char *name;
	unsigned int bit;
};

/* In the order print and save list them. */
static const struct ctrack_name ctrack_states[] = {
	{ "INVALID",	 XT_CTRACK_STATE_BIT(CTRACK_PKT_INVALID) },
	{ "NEW",	 XT_CTRACK_STATE_BIT(CTRACK_PKT_NEW) },
	{ "RELATED",	 XT_CTRACK_STATE_BIT(CTRACK_PKT_RELATED) },
	{ "ESTABLISHED", XT_CTRACK_STATE_BIT(CTRACK_PKT_ESTABLISHED) },
	{ "UNTRACKED",	 XT_CTRACK_STATE_BIT(CTRACK_PKT_UNTRACKED) },
	{ "SNAT",	 XT_CTRACK_STATE_SNAT },
	{ "DNAT",	 XT_CTRACK_STATE_DNAT },
	{ NULL, 0 },
};

static const struct ctrack_name ctrack_statuses[] = {
	{ "NONE",	 XT_CTRACK_STATUS_NONE },
	{ "EXPECTED",	 CTRACK_S_EXPECTED },
	{ "SEEN_REPLY",	 CTRACK_S_SEEN_REPLY },
	{ "ASSURED",	 CTRACK_S_ASSURED },
	{ "CONFIRMED",	 CTRACK_S_CONFIRMED },
	{ NULL, 0 },
};

static const char *const ctrack_dirs[] = {
	[CTRACK_DIR_ORIGINAL]	= "ORIGINAL",
	[CTRACK_DIR_REPLY]	= "REPLY",
};

static void ctrack_mt_help(void)
{
	printf(
"ctrack match options:\n"
"[!] --ctstate {INVALID|NEW|ESTABLISHED|RELATED|UNTRACKED|SNAT|DNAT}[,...]\n"
"                               ctrack classified this packet as one of these\n"
"[!] --ctproto proto            Layer 4 protocol of the entry (name or number)\n"
"[!] --ctorigsrc address[/mask] Original source address of the entry\n"
"[!] --ctorigdst address[/mask] Original destination address of the entry\n"
"[!] --ctreplsrc address[/mask] Reply source address of the entry\n"
"[!] --ctrepldst address[/mask] Reply destination address of the entry\n"
"[!] --ctorigsrcport port[:port]\n"
"                               Original source port, or range, of the entry\n"
"[!] --ctorigdstport port[:port]\n"
"                               Original destination port, or range\n"
"[!] --ctreplsrcport port[:port]\n"
"                               Reply source port, or range\n"
"[!] --ctrepldstport port[:port]\n"
"                               Reply destination port, or range\n"
"                               (port options need --ctproto tcp, udp or udplite)\n"
"[!] --ctstatus {NONE|EXPECTED|SEEN_REPLY|ASSURED|CONFIRMED}[,...]\n"
"                               Entry has one of these (NONE: has none of them)\n"
"[!] --ctexpire time[:time]     Seconds the entry has left (inclusive range)\n"
"    --ctdir {ORIGINAL|REPLY}   Direction of the packet within its entry\n");
}

/* Parse a comma list of names (any case) of @table into a bit mask. */
static unsigned int ctrack_parse_list(const char *arg,
				      const struct ctrack_name *table,
				      const char *what)
{
	char *buf = xtables_strdup(arg);
	char *rest = buf, *tok;
	unsigned int mask = 0;
	const struct ctrack_name *n;

	while ((tok = strsep(&rest, ",")) != NULL) {
		for (n = table; n->name != NULL; n++)
			if (strcasecmp(tok, n->name) == 0)
				break;
		if (n->name == NULL)
			xtables_error(PARAMETER_PROBLEM,
				      "ctrack: unknown %s \"%s\"", what, tok);
		mask |= n->bit;
	}
	free(buf);
	return mask;
}

static uint8_t ctrack_family(void)
{
	return afinfo->family == NFPROTO_IPV6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
}

/*
 * The mask of "address[/mask]": a prefix length or an address-shaped mask.
 * libxtables 1.8.9 resolves the address well but not the mask (it turns a
 * mask that is not a prefix, and an IPv4 prefix length above 32, into a
 * full mask without a word), so the mask is read here from the text.
 */
static void ctrack_parse_mask(const struct xt_option_call *cb,
			      union nf_inet_addr *mask)
{
	bool v6 = ctrack_family() == NFPROTO_IPV6;
	unsigned int bits = v6 ? 128 : 32, plen = bits, n, i;
	const char *p = strchr(cb->arg, '/');

	memset(mask, 0, sizeof(*mask));
	if (p != NULL && !xtables_strtoui(p + 1, NULL, &plen, 0, bits)) {
		if (inet_pton(v6 ? AF_INET6 : AF_INET, p + 1, mask) == 1)
			return;
		xtables_error(PARAMETER_PROBLEM,
			      "ctrack: bad mask \"%s\" for --%s (a prefix length 0-%u or a mask)",
			      p + 1, cb->entry->name, bits);
	}
	for (i = 0; plen > 0; i++) {
		n = plen > 32 ? 32 : plen;
		mask->all[i] = htonl(~0U << (32 - n));
		plen -= n;
	}
}

/*
 * Keep what the kernel looks at and nothing else: the address under its
 * mask, and for IPv4 the first word only, so that "1.2.3.4" and
 * "1.2.3.4/32" are the same rule and save gives back the same bytes.
 */
static void ctrack_put_addr(const struct xt_option_call *cb,
			    union nf_inet_addr *addr, union nf_inet_addr *mask)
{
	unsigned int i, words = ctrack_family() == NFPROTO_IPV6 ? 4 : 1;

	ctrack_parse_mask(cb, mask);
	memset(addr, 0, sizeof(*addr));
	for (i = 0; i < words; i++)
		addr->all[i] = cb->val.haddr.all[i] & mask->all[i];
}

/*
 * What libxtables 1.8.9 lets through a port range: a number above 65535
 * (truncated) and a range whose ends are swapped.
 */
static void ctrack_check_ports(const struct xt_option_call *cb)
{
	char *buf = xtables_strdup(cb->arg), *rest = buf, *tok;
	unsigned long v;

	while ((tok = strsep(&rest, ":")) != NULL) {
		if (*tok == '\0' || strspn(tok, "0123456789") != strlen(tok))
			continue;
		errno = 0;
		v = strtoul(tok, NULL, 10);
		if (errno != 0 || v > UINT16_MAX)
			xtables_error(PARAMETER_PROBLEM,
				      "ctrack: port \"%s\" of --%s is out of range (0-65535)",
				      tok, cb->entry->name);
	}
	free(buf);
	if (cb->val.port_range[0] > cb->val.port_range[1])
		xtables_error(PARAMETER_PROBLEM,
			      "ctrack: port range %u:%u of --%s is backwards",
			      cb->val.port_range[0], cb->val.port_range[1],
			      cb->entry->name);
}

static void ctrack_mt_parse(struct xt_option_call *cb)
{
	struct xt_ctrack_mtinfo1 *info = cb->data;
	unsigned int id = cb->entry->id;
	unsigned int i;

	xtables_option_parse(cb);

	switch (id) {
	case O_CTSTATE:
		info->state_mask = ctrack_parse_list(cb->arg, ctrack_states,
						     "state");
		break;
	case O_CTPROTO:
		if (cb->val.protocol == 0)
			xtables_error(PARAMETER_PROBLEM,
				      "ctrack: --ctproto needs a protocol other than 0 (\"all\"); leave it out to match any");
		info->l4proto = cb->val.protocol;
		break;
	case O_CTORIGSRC:
		ctrack_put_addr(cb, &info->origsrc_addr, &info->origsrc_mask);
		break;
	case O_CTORIGDST:
		ctrack_put_addr(cb, &info->origdst_addr, &info->origdst_mask);
		break;
	case O_CTREPLSRC:
		ctrack_put_addr(cb, &info->replsrc_addr, &info->replsrc_mask);
		break;
	case O_CTREPLDST:
		ctrack_put_addr(cb, &info->repldst_addr, &info->repldst_mask);
		break;
	case O_CTORIGSRCPORT:
	case O_CTORIGDSTPORT:
	case O_CTREPLSRCPORT:
	case O_CTREPLDSTPORT:
		/* XT_CTRACK_ORIG_SRC.. follow the option order. */
		i = XT_CTRACK_ORIG_SRC + (id - O_CTORIGSRCPORT);
		ctrack_check_ports(cb);
		/* libxtables fills [1] from [0] when there is one value. */
		info->port_min[i] = cb->val.port_range[0];
		info->port_max[i] = cb->val.port_range[1];
		break;
	case O_CTSTATUS:
		info->status_mask = ctrack_parse_list(cb->arg, ctrack_statuses,
						      "status");
		break;
	case O_CTEXPIRE:
		info->expires_min = cb->val.u32_range[0];
		info->expires_max = cb->nvals >= 2 ? cb->val.u32_range[1] :
						     cb->val.u32_range[0];
		if (info->expires_min > info->expires_max)
			xtables_error(PARAMETER_PROBLEM,
				      "ctrack: --ctexpire range %u:%u is backwards",
				      info->expires_min, info->expires_max);
		break;
	case O_CTDIR:
		for (i = 0; i < CTRACK_DIR_MAX; i++)
			if (strcasecmp(cb->arg, ctrack_dirs[i]) == 0)
				break;
		if (i == CTRACK_DIR_MAX)
			xtables_error(PARAMETER_PROBLEM,
				      "ctrack: unknown direction \"%s\" (ORIGINAL or REPLY)",
				      cb->arg);
		info->direction = i;
		break;
	}

	info->match_flags |= 1 << id;
	if (cb->invert)
		info->invert_flags |= 1 << id;
}

static void ctrack_mt_check(struct xt_fcheck_call *cb)
{
	const struct xt_ctrack_mtinfo1 *info = cb->data;

	if (cb->xflags == 0)
		xtables_error(PARAMETER_PROBLEM,
			      "ctrack: at least one option is required");

	if (!(info->match_flags & F_PORTS))
		return;
	if (!(info->match_flags & XT_CTRACK_PROTO) ||
	    (info->invert_flags & XT_CTRACK_PROTO) ||
	    (info->l4proto != IPPROTO_TCP && info->l4proto != IPPROTO_UDP &&
	     info->l4proto != IPPROTO_UDPLITE))
		xtables_error(PARAMETER_PROBLEM,
			      "ctrack: port options need --ctproto tcp, udp or udplite (not inverted)");
}

static void ctrack_print_list(unsigned int mask,
			      const struct ctrack_name *table)
{
	const struct ctrack_name *n;
	const char *sep = " ";

	for (n = table; n->name != NULL; n++) {
		if (!(mask & n->bit))
			continue;
		printf("%s%s", sep, n->name);
		sep = ",";
	}
}

static bool ctrack_mask_is_zero(const union nf_inet_addr *mask)
{
	return !mask->all[0] && !mask->all[1] && !mask->all[2] &&
	       !mask->all[3];
}

/*
 * Address and mask as libxtables writes them: "addr" for a full mask,
 * "addr/len" for a prefix, "addr/mask" otherwise. Two printf calls, as
 * the helpers share static buffers.
 */
static void ctrack_print_addr(const union nf_inet_addr *addr,
			      const union nf_inet_addr *mask, bool numeric)
{
	if (!numeric && ctrack_mask_is_zero(mask)) {
		printf(" anywhere");
		return;
	}
	if (ctrack_family() == NFPROTO_IPV6) {
		printf(" %s", numeric ? xtables_ip6addr_to_numeric(&addr->in6) :
					xtables_ip6addr_to_anyname(&addr->in6));
		printf("%s", xtables_ip6mask_to_numeric(&mask->in6));
	} else {
		printf(" %s", numeric ? xtables_ipaddr_to_numeric(&addr->in) :
					xtables_ipaddr_to_anyname(&addr->in));
		printf("%s", xtables_ipmask_to_numeric(&mask->in));
	}
}

static void ctrack_print_range(uint32_t min, uint32_t max)
{
	if (min == max)
		printf(" %u", min);
	else
		printf(" %u:%u", min, max);
}

/*
 * One walk over the options for print and save: @prefix is "" for
 * "iptables -L" and "--" for save; @numeric only matters to print.
 */
static void ctrack_dump(const struct xt_ctrack_mtinfo1 *info,
			const char *prefix, bool numeric)
{
	static const char *const names[O_MAX] = {
		"ctstate", "ctproto",
		"ctorigsrc", "ctorigdst", "ctreplsrc", "ctrepldst",
		"ctorigsrcport", "ctorigdstport",
		"ctreplsrcport", "ctrepldstport",
		"ctstatus", "ctexpire", "ctdir",
	};
	const union nf_inet_addr *addrs[][2] = {
		{ &info->origsrc_addr, &info->origsrc_mask },
		{ &info->origdst_addr, &info->origdst_mask },
		{ &info->replsrc_addr, &info->replsrc_mask },
		{ &info->repldst_addr, &info->repldst_mask },
	};
	unsigned int id, i;

	for (id = 0; id < O_MAX; id++) {
		if (!(info->match_flags & (1 << id)))
			continue;
		if (info->invert_flags & (1 << id))
			printf(" !");
		printf(" %s%s", prefix, names[id]);

		switch (id) {
		case O_CTSTATE:
			ctrack_print_list(info->state_mask, ctrack_states);
			break;
		case O_CTPROTO:
			printf(" %u", info->l4proto);
			break;
		case O_CTORIGSRC:
		case O_CTORIGDST:
		case O_CTREPLSRC:
		case O_CTREPLDST:
			i = id - O_CTORIGSRC;
			ctrack_print_addr(addrs[i][0], addrs[i][1], numeric);
			break;
		case O_CTORIGSRCPORT:
		case O_CTORIGDSTPORT:
		case O_CTREPLSRCPORT:
		case O_CTREPLDSTPORT:
			i = XT_CTRACK_ORIG_SRC + (id - O_CTORIGSRCPORT);
			ctrack_print_range(info->port_min[i],
					   info->port_max[i]);
			break;
		case O_CTSTATUS:
			ctrack_print_list(info->status_mask, ctrack_statuses);
			break;
		case O_CTEXPIRE:
			ctrack_print_range(info->expires_min,
					   info->expires_max);
			break;
		case O_CTDIR:
			if (info->direction < CTRACK_DIR_MAX)
				printf(" %s", ctrack_dirs[info->direction]);
			else
				printf(" %u", info->direction);
			break;
		}
	}
}

static void ctrack_mt_print(const void *ip, const struct xt_entry_match *match,
			    int numeric)
{
	(void)ip;
	printf(" ctrack");
	ctrack_dump((const void *)match->data, "", numeric);
}

static void ctrack_mt_save(const void *ip, const struct xt_entry_match *match)
{
	(void)ip;
	ctrack_dump((const void *)match->data, "--", true);
}

static struct xtables_match ctrack_mt_reg = {
	.version	= XTABLES_VERSION,
	.name		= "ctrack",
	.revision	= 1,
	.family		= NFPROTO_UNSPEC,
	.size		= XT_ALIGN(sizeof(struct xt_ctrack_mtinfo1)),
	.userspacesize	= XT_ALIGN(sizeof(struct xt_ctrack_mtinfo1)),
	.help		= ctrack_mt_help,
	.x6_parse	= ctrack_mt_parse,
	.x6_fcheck	= ctrack_mt_check,
	.x6_options	= ctrack_mt_opts,
	.print		= ctrack_mt_print,
	.save		= ctrack_mt_save,
};

void _init(void)
{
	xtables_register_match(&ctrack_mt_reg);
}
