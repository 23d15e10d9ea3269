// SPDX-License-Identifier: MIT
/* Port rules (see ports.h for the syntax). */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "core/names.h"
#include "core/ports.h"
#include "core/array.h"
#include "bpf/peerscope.h"

void port_rules__init(struct port_rules *r)
{
	memset(r, 0, sizeof(*r));
	r->next_id = PS_PATH_BOOTSTRAP + 1;
}

void port_rules__free(struct port_rules *r)
{
	free(r->rules);
	port_rules__init(r);
}

uint32_t port_rules__path_id(struct port_rules *r, const char *name)
{
	int id = path_builtin__id(name);

	if (id >= 0)
		return id;
	for (int i = 0; i < r->nr; i++) {
		if (!strcmp(r->rules[i].name, name))
			return r->rules[i].path_id;
	}
	if (r->next_id < PS_PATH_BOOTSTRAP + 1)
		r->next_id = PS_PATH_BOOTSTRAP + 1;	/* zeroed rather than init'ed */
	return r->next_id++;
}

/* A port number 0..65535 spanning [s, end); false otherwise. */
static bool parse_port(const char *s, const char *end, uint16_t *port)
{
	unsigned long v = 0;

	if (s == end || end - s > 5)
		return false;
	for (const char *c = s; c < end; c++) {
		if (!isdigit((unsigned char)*c))
			return false;
		v = v * 10 + (*c - '0');
	}
	if (v > 65535)
		return false;
	*port = v;
	return true;
}

static bool valid_name(const char *name)
{
	if (!*name || strlen(name) >= PORT_RULE_NAME_MAX)
		return false;
	for (const char *c = name; *c; c++) {
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-' && *c != '.')
			return false;
	}
	return true;
}

int port_rules__add_spec(struct port_rules *r, const char *name, const char *spec,
			 char *err, size_t errlen)
{
	struct port_rule rule = {};
	const char *ports = spec, *colon, *dash, *end;

	if (!valid_name(name)) {
		snprintf(err, errlen, "bad path name '%s' in port rule (use letters, digits, _ - .)",
			 name);
		return -EINVAL;
	}
	colon = strchr(spec, ':');
	if (colon) {
		size_t n = colon - spec;

		if (n == 3 && !strncmp(spec, "tcp", 3))
			rule.proto = PORT_TCP;
		else if (n == 3 && !strncmp(spec, "udp", 3))
			rule.proto = PORT_UDP;
		else if (n == 3 && !strncmp(spec, "any", 3))
			rule.proto = PORT_ANY;
		else
			goto bad;
		ports = colon + 1;
	}
	end = ports + strlen(ports);
	dash = strchr(ports, '-');
	if (dash) {
		if (!parse_port(ports, dash, &rule.lo) || !parse_port(dash + 1, end, &rule.hi))
			goto bad;
	} else {
		if (!parse_port(ports, end, &rule.lo))
			goto bad;
		rule.hi = rule.lo;
	}
	if (rule.lo > rule.hi)
		goto bad;

	if (ARRAY_ROOM(r->rules, r->nr, r->cap, 8)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(rule.name, sizeof(rule.name), "%s", name);
	rule.path_id = port_rules__path_id(r, name);
	r->rules[r->nr++] = rule;
	return 0;

bad:
	snprintf(err, errlen, "bad port rule '%s=%s' (expected NAME=[tcp|udp|any:]LO[-HI], e.g. dht=udp:4000-4100)",
		 name, spec);
	return -EINVAL;
}

int port_rules__parse(struct port_rules *r, const char *spec, char *err, size_t errlen)
{
	char *copy, *tok, *save = NULL;
	int ret = 0;

	copy = strdup(spec);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq;

		while (isspace((unsigned char)*tok))
			tok++;
		if (!*tok)
			continue;
		eq = strchr(tok, '=');
		if (!eq) {
			snprintf(err, errlen, "bad port rule '%s' (expected NAME=[tcp|udp|any:]LO[-HI], e.g. dht=udp:4000-4100)",
				 tok);
			ret = -EINVAL;
			break;
		}
		*eq = '\0';
		ret = port_rules__add_spec(r, tok, eq + 1, err, errlen);
		if (ret)
			break;
	}
	free(copy);
	return ret;
}

const struct port_rule *port_rules__match(const struct port_rules *r, int proto,
					  uint16_t lport, uint16_t rport)
{
	for (int i = 0; r && i < r->nr; i++) {
		const struct port_rule *rule = &r->rules[i];

		if (rule->proto != PORT_ANY && rule->proto != proto)
			continue;
		if ((lport && lport >= rule->lo && lport <= rule->hi) ||
		    (rport && rport >= rule->lo && rport <= rule->hi))
			return rule;
	}
	return NULL;
}

const char *port_rule__format(const struct port_rule *rule, char *buf, size_t len)
{
	const char *proto = rule->proto == PORT_TCP ? "tcp" : rule->proto == PORT_UDP ? "udp" : "any";

	if (rule->lo == rule->hi)
		snprintf(buf, len, "%s:%u", proto, rule->lo);
	else
		snprintf(buf, len, "%s:%u-%u", proto, rule->lo, rule->hi);
	return buf;
}
