// SPDX-License-Identifier: MIT
/*
 * The agent's /metrics endpoint, served by libmicrohttpd from its own
 * thread out of a snapshot the agent replaces after each window: a scrape
 * never waits for a drain and a drain never waits for a scrape (the lock is
 * held only to copy the text).  Bounded: a few connections, small request
 * memory, short timeouts; GET /metrics and / only.
 */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <microhttpd.h>

#include "builtin.h"
#include "core/dl-lib.h"

#define HTTP_MAX_CONNECTIONS	8
#define HTTP_MEMORY_LIMIT	(32 * 1024)
#define HTTP_TIMEOUT_S		5

#define CT_PROM	"text/plain; version=0.0.4; charset=utf-8"
#define CT_OM	"application/openmetrics-text; version=1.0.0; charset=utf-8"

struct agent_http {
	struct MHD_Daemon *d;
	int fd;
	pthread_mutex_t lock;
	char *prom, *om;
	size_t prom_len, om_len;
};

/*
 * libmicrohttpd is loaded when the server starts, not linked: with gnutls
 * and the rest of its dependencies it made every command start ~7 ms
 * slower, and only the agent's --metrics serves HTTP.
 */
static struct {
	__typeof__(&MHD_start_daemon) start_daemon;
	__typeof__(&MHD_stop_daemon) stop_daemon;
	__typeof__(&MHD_create_response_from_buffer) create_response_from_buffer;
	__typeof__(&MHD_add_response_header) add_response_header;
	__typeof__(&MHD_queue_response) queue_response;
	__typeof__(&MHD_destroy_response) destroy_response;
	__typeof__(&MHD_lookup_connection_value) lookup_connection_value;
} mhd;

static const struct dl_sym mhd_syms[] = {
	DL_SYM(MHD_start_daemon, mhd.start_daemon),
	DL_SYM(MHD_stop_daemon, mhd.stop_daemon),
	DL_SYM(MHD_create_response_from_buffer, mhd.create_response_from_buffer),
	DL_SYM(MHD_add_response_header, mhd.add_response_header),
	DL_SYM(MHD_queue_response, mhd.queue_response),
	DL_SYM(MHD_destroy_response, mhd.destroy_response),
	DL_SYM(MHD_lookup_connection_value, mhd.lookup_connection_value),
};

static struct dl_lib mhd_lib = DL_LIB("libmicrohttpd.so.12", mhd_syms);

static const char index_page[] =
	"<html><head><title>peerscope agent</title></head><body>"
	"<h1>peerscope agent</h1><p><a href=\"/metrics\">/metrics</a></p></body></html>\n";

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *type,
			     const char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = mhd.create_response_from_buffer(len, (void *)body, mode);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = mhd.queue_response(conn, status, r);
	mhd.destroy_response(r);
	return ret;
}

static enum MHD_Result serve_metrics(struct agent_http *h, struct MHD_Connection *conn)
{
	const char *accept = mhd.lookup_connection_value(conn, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_ACCEPT);
	bool om = accept && strstr(accept, "application/openmetrics-text");
	char *body;
	size_t len;
	enum MHD_Result ret;

	pthread_mutex_lock(&h->lock);
	len = om ? h->om_len : h->prom_len;
	body = malloc(len + 1);
	if (body)
		memcpy(body, om ? h->om : h->prom, len);
	pthread_mutex_unlock(&h->lock);
	if (!body)
		return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", "out of memory\n",
			     14, MHD_RESPMEM_PERSISTENT);
	ret = reply(conn, MHD_HTTP_OK, om ? CT_OM : CT_PROM, body, len, MHD_RESPMEM_MUST_FREE);
	if (ret != MHD_YES)
		free(body);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **state)
{
	static int first;

	(void)version;
	(void)upload_data;
	if (!*state) {
		*state = &first;	/* headers seen: answer on the next call */
		return MHD_YES;
	}
	if (*upload_size)
		return MHD_NO;		/* a body we never asked for: drop the connection */
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			     "only GET\n", 9, MHD_RESPMEM_PERSISTENT);
	if (!strcmp(url, "/metrics"))
		return serve_metrics(cls, conn);
	if (!strcmp(url, "/"))
		return reply(conn, MHD_HTTP_OK, "text/html", index_page, sizeof(index_page) - 1,
			     MHD_RESPMEM_PERSISTENT);
	return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", "not found: try /metrics\n", 24,
		     MHD_RESPMEM_PERSISTENT);
}

/* "ADDR:PORT", ":PORT" or "PORT"; loopback when no address is given. */
static int parse_addr(const char *s, struct sockaddr_in *sin)
{
	const char *colon = strrchr(s, ':');
	char host[64] = "127.0.0.1", *end;
	long port;

	if (colon && colon > s) {
		if ((size_t)(colon - s) >= sizeof(host))
			return -EINVAL;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
	}
	port = strtol(colon ? colon + 1 : s, &end, 10);
	if (*end || port < 1 || port > 65535)
		return -EINVAL;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -EINVAL;
}

int agent_http__start(struct agent_http **hp, const char *addr, char *why, size_t len)
{
	struct agent_http *h;
	struct sockaddr_in sin;
	int one = 1, err;

	*hp = NULL;
	if (parse_addr(addr, &sin)) {
		snprintf(why, len, "bad address '%s': want ADDR:PORT or PORT (IPv4)", addr);
		return -EINVAL;
	}
	err = dl_lib__bind(&mhd_lib);
	if (err) {
		snprintf(why, len, "%s", mhd_lib.why);
		return err;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	h->fd = -1;
	pthread_mutex_init(&h->lock, NULL);
	/* our own socket: a port in use is said as such, before anything runs */
	h->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (h->fd < 0 || setsockopt(h->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(h->fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(h->fd, 16)) {
		err = -errno;
		snprintf(why, len, "cannot listen on %s: %s", addr, strerror(errno));
		goto fail;
	}
	h->d = mhd.start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_request, h,
				MHD_OPTION_LISTEN_SOCKET, h->fd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY_LIMIT,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_TIMEOUT_S,
				MHD_OPTION_END);
	if (!h->d) {
		err = -EIO;
		snprintf(why, len, "starting the HTTP server on %s failed", addr);
		goto fail;
	}
	*hp = h;
	return 0;
fail:
	if (h->fd >= 0)
		close(h->fd);
	pthread_mutex_destroy(&h->lock);
	free(h);
	return err;
}

static void replace(char **dst, size_t *dst_len, const char *src, size_t len)
{
	char *c = malloc(len + 1);

	if (!c)
		return;		/* keep serving the previous snapshot */
	memcpy(c, src, len);
	c[len] = '\0';
	free(*dst);
	*dst = c;
	*dst_len = len;
}

void agent_http__publish(struct agent_http *h, const char *prom, size_t prom_len,
			 const char *om, size_t om_len)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	replace(&h->prom, &h->prom_len, prom, prom_len);
	replace(&h->om, &h->om_len, om, om_len);
	pthread_mutex_unlock(&h->lock);
}

void agent_http__stop(struct agent_http *h)
{
	if (!h)
		return;
	mhd.stop_daemon(h->d);
	close(h->fd);
	pthread_mutex_destroy(&h->lock);
	free(h->prom);
	free(h->om);
	free(h);
}
