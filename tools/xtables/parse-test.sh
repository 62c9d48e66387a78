#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of the iptables plugin of the ctrack match (libxt_ctrack.so),
# without the kernel module: nothing here needs ctrack, nf_tables or
# CAP_NET_ADMIN.
#
#   iptables-translate / ip6tables-translate
#       parse a whole "-A INPUT -m ctrack ..." command line through
#       iptables' own code, final check included, and never talk to the
#       kernel: a good option set exits 0, a bad one exits 2 with the
#       plugin's one-line error (checked here).
#   iptables-nft -m ctrack --help, with CAP_NET_ADMIN dropped
#       iptables-nft asks the kernel whether it has the match; without
#       the capability it cannot ask and assumes so.
#   ctparse (built below from this file)
#       loads the plugin through libxtables, parses an option set the way
#       iptables does, and prints save, print and the struct in hex; the
#       test feeds the save output back and requires the same bytes and
#       the same text (the iptables-save | iptables-restore round trip).
#   groff
#       the man page fragment renders without warnings.
#
#   bash tools/xtables/parse-test.sh      (from anywhere; builds the plugin)
#
# Prints PASS/FAIL lines and "N passed, N failed"; exits 1 on a failure.

set -e -o pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

make -s -C "$top" tools/xtables/libxt_ctrack.so >/dev/null
export XTABLES_LIBDIR=$top/tools/xtables:$(pkg-config --variable=xtlibdir xtables)

cat >"$tmp/ctparse.c" <<'EOF'
/*
 * ctparse [-4|-6] [!] --opt [value] ...: parse ctrack match options as
 * iptables does and print "save:", "print:" (numeric), "name:" (names
 * allowed) and "hex:" lines. Errors: the plugin's message, exit 2.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xtables.h>

static void __attribute__((noreturn))
ctparse_exit(enum xtables_exittype status, const char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	fputs("ctparse: ", stderr);
	vfprintf(stderr, msg, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(status == PARAMETER_PROBLEM ? 2 : 1);
}

/* No kernel to ask: every revision is there. */
static int ctparse_compat_rev(const char *name, uint8_t rev, int opt)
{
	(void)name;
	(void)rev;
	(void)opt;
	return 1;
}

static struct xtables_globals ctparse_globals = {
	.program_name		= "ctparse",
	.program_version	= "0",
	.exit_err		= ctparse_exit,
	.compat_rev		= ctparse_compat_rev,
};

int main(int argc, char **argv)
{
	const struct xt_option_entry *e;
	struct xtables_match *m;
	uint8_t family = NFPROTO_IPV4;
	size_t size;
	int i = 1;
	bool inv;

	if (i < argc && (!strcmp(argv[i], "-4") || !strcmp(argv[i], "-6")))
		family = argv[i++][1] == '6' ? NFPROTO_IPV6 : NFPROTO_IPV4;
	if (xtables_init_all(&ctparse_globals, family) < 0)
		ctparse_exit(OTHER_PROBLEM, "xtables_init_all failed");
	m = xtables_find_match("ctrack", XTF_LOAD_MUST_SUCCEED, NULL);

	size = XT_ALIGN(sizeof(struct xt_entry_match)) + m->size;
	m->m = xtables_calloc(1, size);
	m->m->u.match_size = size;
	strcpy(m->m->u.user.name, m->name);
	m->m->u.user.revision = m->revision;
	m->mflags = 0;
	m->option_offset = 0;
	if (m->init)
		m->init(m->m);

	for (; i < argc; i++) {
		inv = !strcmp(argv[i], "!");
		if (inv && ++i == argc)
			ctparse_exit(PARAMETER_PROBLEM, "\"!\" at the end");
		if (strncmp(argv[i], "--", 2))
			ctparse_exit(PARAMETER_PROBLEM, "not an option: %s",
				     argv[i]);
		for (e = m->x6_options; e->name; e++)
			if (!strcmp(e->name, argv[i] + 2))
				break;
		if (!e->name)
			ctparse_exit(PARAMETER_PROBLEM, "unknown option %s",
				     argv[i]);
		optarg = NULL;
		if (e->type != XTTYPE_NONE && i + 1 < argc)
			optarg = argv[++i];
		xtables_option_mpcall(e->id, argv, inv, m, NULL);
	}
	xtables_option_mfcall(m);

	printf("save:");
	m->save(NULL, m->m);
	printf("\nprint:");
	m->print(NULL, m->m, 1);
	printf("\nname:");
	m->print(NULL, m->m, 0);
	printf("\nhex:");
	for (size_t j = 0; j < m->size; j++)
		printf("%02x", m->m->data[j]);
	printf("\n");
	return 0;
}
EOF
cc -Wall -Wextra -Werror -o "$tmp/ctparse" "$tmp/ctparse.c" \
	$(pkg-config --cflags --libs xtables)

passed=0
failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# field NAME FILE: the value of a "NAME:" line of ctparse's output.
field() { sed -n "s/^$1://p" "$2"; }

# good FAMILY "OPTIONS" "EXPECTED SAVE" ["EXPECTED PRINT"]
good() {
	local fam=$1 opts=$2 want=$3 wantprint=$4 ipt=iptables-translate
	local -a args again
	local save hex

	[ "$fam" = 6 ] && ipt=ip6tables-translate
	eval "args=($opts)"
	if ! $ipt -A INPUT -m ctrack "${args[@]}" >"$tmp/out" 2>"$tmp/err"; then
		fail "-$fam $opts: $ipt refused it: $(head -1 "$tmp/err")"
		return
	fi
	if ! "$tmp/ctparse" "-$fam" "${args[@]}" >"$tmp/out" 2>"$tmp/err"; then
		fail "-$fam $opts: ctparse: $(head -1 "$tmp/err")"
		return
	fi
	save=$(field save "$tmp/out")
	hex=$(field hex "$tmp/out")
	if [ "$save" != "$want" ]; then
		fail "-$fam $opts: save gave '$save', want '$want'"
		return
	fi
	if [ -n "$wantprint" ] && [ "$(field print "$tmp/out")" != "$wantprint" ]; then
		fail "-$fam $opts: print gave '$(field print "$tmp/out")', want '$wantprint'"
		return
	fi
	read -ra again <<<"$save"
	if ! "$tmp/ctparse" "-$fam" "${again[@]}" >"$tmp/out2" 2>"$tmp/err"; then
		fail "-$fam $opts: its save output does not parse: $(head -1 "$tmp/err")"
		return
	fi
	if [ "$(field hex "$tmp/out2")" != "$hex" ] ||
	   [ "$(field save "$tmp/out2")" != "$save" ]; then
		fail "-$fam $opts: save output parses to another struct"
		return
	fi
	pass "-$fam $opts => '$save'"
}

# bad FAMILY "OPTIONS" "EXPECTED MESSAGE (a fixed string of the first line)"
bad() {
	local fam=$1 opts=$2 want=$3 ipt=iptables-translate rc=0
	local -a args

	[ "$fam" = 6 ] && ipt=ip6tables-translate
	eval "args=($opts)"
	$ipt -A INPUT -m ctrack "${args[@]}" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ $rc -ne 2 ]; then
		fail "-$fam $opts: exit $rc, want 2"
	elif ! head -1 "$tmp/err" | grep -qF -- "$want"; then
		fail "-$fam $opts: said '$(head -1 "$tmp/err")', want '$want'"
	else
		pass "-$fam $opts => $(head -1 "$tmp/err")"
	fi
}

# --- help ---------------------------------------------------------------
opts_all="ctstate ctproto ctorigsrc ctorigdst ctreplsrc ctrepldst ctorigsrcport
	ctorigdstport ctreplsrcport ctrepldstport ctstatus ctexpire ctdir"
for ipt in iptables ip6tables; do
	rc=0
	setpriv --inh-caps=-net_admin --bounding-set=-net_admin \
		$ipt-nft -m ctrack --help >"$tmp/help" 2>"$tmp/err" || rc=$?
	missing=
	for o in $opts_all; do
		grep -q -- "--$o " "$tmp/help" || missing="$missing --$o"
	done
	if [ $rc -eq 0 ] && [ -z "$missing" ] &&
	   grep -q '^ctrack match options:' "$tmp/help"; then
		pass "$ipt-nft -m ctrack --help"
	else
		fail "$ipt-nft -m ctrack --help: exit $rc, missing:$missing $(head -1 "$tmp/err")"
	fi
done

# --- good option sets: save text, and save parses back to the same bytes --
good 4 "--ctstate NEW" " --ctstate NEW" " ctrack ctstate NEW"
good 4 "--ctstate established,related" " --ctstate RELATED,ESTABLISHED"
good 4 "! --ctstate dnat,Snat,UNTRACKED,new,invalid" \
	" ! --ctstate INVALID,NEW,UNTRACKED,SNAT,DNAT"
good 4 "--ctproto tcp" " --ctproto 6"
good 4 "! --ctproto udp" " ! --ctproto 17" " ctrack ! ctproto 17"
good 4 "--ctproto 47" " --ctproto 47"
good 4 "--ctorigsrc 10.0.0.5/24" " --ctorigsrc 10.0.0.0/24"
good 4 "--ctorigdst 10.1.2.3" " --ctorigdst 10.1.2.3"
good 4 "--ctreplsrc 10.1.2.3/32" " --ctreplsrc 10.1.2.3"
good 4 "--ctreplsrc 10.1.2.3/255.255.255.255" " --ctreplsrc 10.1.2.3"
good 4 "! --ctrepldst 1.2.3.4/0" " ! --ctrepldst 0.0.0.0/0"
good 4 "--ctorigsrc 10.9.8.7/255.255.0.0" " --ctorigsrc 10.9.0.0/16"
good 4 "--ctorigsrc 10.9.8.7/255.0.255.0" " --ctorigsrc 10.0.8.0/255.0.255.0"
good 4 "--ctproto tcp --ctorigdstport 80:90" \
	" --ctproto 6 --ctorigdstport 80:90" " ctrack ctproto 6 ctorigdstport 80:90"
good 4 "--ctproto udp --ctorigsrcport 53" " --ctproto 17 --ctorigsrcport 53"
good 4 "--ctproto udp --ctorigsrcport 53:53" " --ctproto 17 --ctorigsrcport 53"
good 4 "--ctproto tcp --ctrepldstport http" " --ctproto 6 --ctrepldstport 80"
good 4 "--ctproto udplite ! --ctreplsrcport 1000: --ctrepldstport :1023" \
	" --ctproto 136 ! --ctreplsrcport 1000:65535 --ctrepldstport 0:1023"
good 4 "--ctproto tcp --ctorigsrcport 0 --ctorigdstport 65535" \
	" --ctproto 6 --ctorigsrcport 0 --ctorigdstport 65535"
good 4 "--ctstatus none" " --ctstatus NONE"
good 4 "! --ctstatus assured,Seen_Reply,expected,CONFIRMED,none" \
	" ! --ctstatus NONE,EXPECTED,SEEN_REPLY,ASSURED,CONFIRMED"
good 4 "--ctexpire 10:20" " --ctexpire 10:20"
good 4 "--ctexpire 30" " --ctexpire 30"
good 4 "--ctexpire 30:30" " --ctexpire 30"
good 4 "! --ctexpire 10:" " ! --ctexpire 10:4294967295"
good 4 "--ctexpire :0" " --ctexpire 0"
good 4 "--ctdir reply" " --ctdir REPLY" " ctrack ctdir REPLY"
good 4 "--ctdir Original" " --ctdir ORIGINAL"
good 4 "--ctdir REPLY --ctexpire 10:20 --ctstatus ASSURED --ctorigdstport 80:90 \
	--ctorigsrc 10.0.0.0/24 --ctproto udp --ctstate ESTABLISHED,RELATED" \
	" --ctstate RELATED,ESTABLISHED --ctproto 17 --ctorigsrc 10.0.0.0/24 --ctorigdstport 80:90 --ctstatus ASSURED --ctexpire 10:20 --ctdir REPLY" \
	" ctrack ctstate RELATED,ESTABLISHED ctproto 17 ctorigsrc 10.0.0.0/24 ctorigdstport 80:90 ctstatus ASSURED ctexpire 10:20 ctdir REPLY"
good 4 "! --ctstate NEW ! --ctproto tcp ! --ctorigsrc 1.0.0.0/8 \
	! --ctorigdst 2.0.0.0/8 ! --ctreplsrc 3.0.0.0/8 ! --ctrepldst 4.0.0.0/8 \
	! --ctstatus NONE ! --ctexpire 1:2 --ctdir ORIGINAL" \
	" ! --ctstate NEW ! --ctproto 6 ! --ctorigsrc 1.0.0.0/8 ! --ctorigdst 2.0.0.0/8 ! --ctreplsrc 3.0.0.0/8 ! --ctrepldst 4.0.0.0/8 ! --ctstatus NONE ! --ctexpire 1:2 --ctdir ORIGINAL"
good 4 "--ctproto tcp ! --ctorigsrcport 1 ! --ctorigdstport 2 \
	! --ctreplsrcport 3 ! --ctrepldstport 4:5" \
	" --ctproto 6 ! --ctorigsrcport 1 ! --ctorigdstport 2 ! --ctreplsrcport 3 ! --ctrepldstport 4:5"
good 6 "--ctorigsrc 2001:db8::1/64" " --ctorigsrc 2001:db8::/64"
good 6 "--ctrepldst ::1" " --ctrepldst ::1"
good 6 "--ctrepldst ::1/128" " --ctrepldst ::1"
good 6 "! --ctreplsrc 2001:db8::1/0" " ! --ctreplsrc ::/0"
good 6 "--ctorigdst 2001:db8::77/ffff:ffff::ff" \
	" --ctorigdst 2001:db8::77/ffff:ffff::ff"
good 6 "--ctstate NEW --ctproto ipv6-icmp --ctorigsrc fe80::1/10" \
	" --ctstate NEW --ctproto 58 --ctorigsrc fe80::/10"
good 6 "--ctproto tcp --ctorigdstport 22 --ctdir ORIGINAL" \
	" --ctproto 6 --ctorigdstport 22 --ctdir ORIGINAL"

# The unnamed form of print: "anywhere" for a zero mask, no DNS needed.
if "$tmp/ctparse" -4 ! --ctorigsrc 0/0 >"$tmp/out" 2>&1 &&
   [ "$(field name "$tmp/out")" = " ctrack ! ctorigsrc anywhere" ]; then
	pass "print without -n: ' ctrack ! ctorigsrc anywhere'"
else
	fail "print without -n: '$(field name "$tmp/out")'"
fi

# --- bad option sets: exit 2 and a one-line message -----------------------
bad 4 "--ctstate FOO" 'ctrack: unknown state "FOO"'
bad 4 "--ctstate NEW," 'ctrack: unknown state ""'
bad 4 "--ctstate ''" 'ctrack: unknown state ""'
bad 4 "--ctstate NEW --ctstate NEW" 'option "--ctstate" can only be used once'
bad 4 "--ctstatus FOO" 'ctrack: unknown status "FOO"'
bad 4 "--ctstatus DYING" 'ctrack: unknown status "DYING"'
bad 4 "--ctproto all" 'ctrack: --ctproto needs a protocol other than 0'
bad 4 "--ctproto 0" 'ctrack: --ctproto needs a protocol other than 0'
bad 4 "--ctproto nosuchproto" 'unknown protocol "nosuchproto"'
bad 4 "--ctorigdstport 80" 'ctrack: port options need --ctproto tcp, udp or udplite'
bad 4 "--ctproto icmp --ctorigdstport 80" 'ctrack: port options need --ctproto'
bad 4 "! --ctproto tcp --ctreplsrcport 80" 'ctrack: port options need --ctproto'
bad 4 "--ctproto tcp --ctorigdstport 90:80" 'ctrack: port range 90:80 of --ctorigdstport is backwards'
bad 4 "--ctproto tcp --ctorigdstport 1:2:3" 'Too many components'
bad 4 "--ctproto tcp --ctorigdstport 70000" 'ctrack: port "70000" of --ctorigdstport is out of range'
bad 4 "--ctproto tcp --ctorigdstport 1:65536" 'ctrack: port "65536" of --ctorigdstport is out of range'
bad 4 "--ctproto tcp --ctorigdstport nosuchservice" 'Port "nosuchservice" does not resolve'
bad 4 "--ctexpire 20:10" 'ctrack: --ctexpire range 20:10 is backwards'
bad 4 "--ctexpire ten" 'bad value for option "--ctexpire"'
bad 4 "--ctexpire 4294967296" 'bad value for option "--ctexpire"'
bad 4 "--ctdir SIDEWAYS" 'ctrack: unknown direction "SIDEWAYS"'
bad 4 "! --ctdir REPLY" 'option "--ctdir" cannot be inverted'
bad 4 "" 'ctrack: at least one option is required'
bad 4 "--ctorigsrc 10.0.0.1/33" 'ctrack: bad mask "33" for --ctorigsrc'
bad 4 "--ctorigsrc 10.0.0.1/foo" 'bad value for option "--ctorigsrc"'
bad 6 "--ctorigsrc 10.0.0.1" 'getaddrinfo'
bad 6 "--ctorigsrc ::1/129" 'bad value for option "--ctorigsrc"'

# --- the man page fragment ------------------------------------------------
{
	printf '.TH IPTABLES-EXTENSIONS 8\n.SH "MATCH EXTENSIONS"\n.SS ctrack\n'
	cat "$top/tools/xtables/libxt_ctrack.man"
} >"$tmp/ctrack.8"
if groff -man -ww -z "$tmp/ctrack.8" >"$tmp/err" 2>&1 && [ ! -s "$tmp/err" ]; then
	pass "libxt_ctrack.man renders (groff -man -ww -z)"
else
	fail "libxt_ctrack.man: $(head -3 "$tmp/err")"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
