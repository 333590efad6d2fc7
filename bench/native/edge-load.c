/*
 * edge-load: a small native load client for the edge benchmarks (bench/edge.bench.ts).
 * A Node client saturates its own core long before uWebSockets.js does (see
 * /work/shared/BENCHMARKING.md), so the load comes from here: epoll, pre-encoded requests,
 * N connections each keeping M requests in flight, replies counted and timed.
 *
 *   edge-load ws   HOST PORT PATH  REQUEST_FILE CONNS INFLIGHT SECONDS WARMUP
 *   edge-load http HOST PORT -     REQUEST_FILE CONNS INFLIGHT SECONDS WARMUP
 *
 * ws:   REQUEST_FILE holds one binary message; it is sent as a masked frame (mask 0).
 * http: REQUEST_FILE holds a whole HTTP/1.1 request; more than one in flight is pipelining.
 *
 * The client must cost far less than the servers it measures (it is checked against the raw
 * uWS echo at about 1 M messages/s), so nothing is done per message that can be done per batch:
 * every read takes up to 64 KiB, and all the requests that replace the replies of one read
 * leave in one write() from a buffer that holds INFLIGHT copies of the request, made once.
 * One clock read per read() stamps both the replies it carried and the requests sent after it.
 * Replies are matched to requests in order (FIFO per connection), so latency is exact with
 * INFLIGHT=1 and an upper bound otherwise. Prints one line of key=value pairs.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RING 1024
#define READ_CHUNK (64 * 1024)
#define RBUF (1 << 20)
#define MAX_SAMPLES (8 * 1024 * 1024)

typedef struct {
  int fd;
  uint64_t sent_at[RING];
  unsigned head, tail;
  unsigned char *rbuf;
  size_t rlen;
  /* Bytes of requests not yet accepted by the socket (a short write); sent on EPOLLOUT. */
  size_t unsent;
  int want_out;
} conn_t;

static int ep;
static int mode_ws;
static unsigned char *reqs; /* INFLIGHT copies of the request, back to back */
static size_t req_len;
static uint32_t *samples;
static size_t nsamples;
static uint64_t counted, errors;
static uint64_t n_reads, n_writes, n_waits; /* syscalls, to show the client batches */
static uint64_t measure_from, measure_to;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what) {
  perror(what);
  exit(2);
}

static void watch(conn_t *c, int out) {
  if (c->want_out == out) return;
  c->want_out = out;
  struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c};
  if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) die("epoll_ctl");
}

/*
 * Writes what is owed. Every request is the same bytes, so the owed bytes are the tail of a run of
 * requests: they start `off` bytes into a request and fit in `reqs` (at most INFLIGHT are owed).
 */
static void flush(conn_t *c) {
  while (c->unsent > 0) {
    size_t off = (req_len - c->unsent % req_len) % req_len;
    ssize_t w = write(c->fd, reqs + off, c->unsent);
    n_writes++;
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      die("write");
    }
    c->unsent -= (size_t)w;
  }
  watch(c, c->unsent > 0);
}

static void send_n(conn_t *c, int n, uint64_t t) {
  for (int k = 0; k < n; k++) c->sent_at[c->head++ % RING] = t;
  c->unsent += (size_t)n * req_len;
  flush(c);
}

static void on_reply(conn_t *c, uint64_t t) {
  uint64_t sent = c->sent_at[c->tail++ % RING];
  if (t >= measure_from && t < measure_to) {
    counted++;
    if (nsamples < MAX_SAMPLES) samples[nsamples++] = (uint32_t)((t - sent) > 0xffffffffull ? 0xffffffffull : (t - sent));
  }
}

/* Returns bytes consumed by one complete reply at p, 0 if incomplete. */
static size_t parse_ws(const unsigned char *p, size_t n, int *is_data) {
  if (n < 2) return 0;
  size_t len = p[1] & 0x7f, hdr = 2;
  if (len == 126) {
    if (n < 4) return 0;
    len = ((size_t)p[2] << 8) | p[3];
    hdr = 4;
  } else if (len == 127) {
    if (n < 10) return 0;
    len = 0;
    for (int i = 2; i < 10; i++) len = (len << 8) | p[i];
    hdr = 10;
  }
  if (n < hdr + len) return 0;
  int op = p[0] & 0x0f;
  if (op == 8) {
    fprintf(stderr, "server closed the websocket\n");
    exit(3);
  }
  *is_data = op == 1 || op == 2;
  return hdr + len;
}

/* True when the header line at p (length n) is `name:` (lower-case name, any case in p). */
static int header_is(const unsigned char *p, size_t n, const char *name, size_t name_len) {
  return n > name_len && p[name_len] == ':' && strncasecmp((const char *)p, name, name_len) == 0;
}

static size_t parse_http(const unsigned char *p, size_t n) {
  const unsigned char *end = memmem(p, n, "\r\n\r\n", 4);
  if (end == NULL) return 0;
  size_t head = (size_t)(end - p) + 4;
  if (n >= 12 && memcmp(p + 9, "200", 3) != 0) errors++;
  size_t body = 0;
  int chunked = 0;
  /* Only the two headers that frame the body are looked at, line by line. */
  const unsigned char *line = memchr(p, '\n', head);
  while (line != NULL && line + 1 < end + 2) {
    line++;
    const unsigned char *eol = memchr(line, '\r', (size_t)(end + 2 - line));
    if (eol == NULL || eol == line) break;
    size_t ll = (size_t)(eol - line);
    if (header_is(line, ll, "content-length", 14)) body = strtoul((const char *)line + 15, NULL, 10);
    else if (header_is(line, ll, "transfer-encoding", 17)) chunked = memmem(line, ll, "chunked", 7) != NULL;
    line = eol + 1;
  }
  if (!chunked) return n >= head + body ? head + body : 0;
  size_t at = head;
  for (;;) {
    const unsigned char *crlf = memmem(p + at, n - at, "\r\n", 2);
    if (crlf == NULL) return 0;
    size_t size = strtoul((const char *)p + at, NULL, 16);
    at = (size_t)(crlf - p) + 2;
    if (n < at + size + 2) return 0;
    at += size + 2;
    if (size == 0) return at;
  }
}

static int connect_to(const char *host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  inet_pton(AF_INET, host, &a.sin_addr);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static void ws_handshake(conn_t *c, const char *host, int port, const char *path) {
  char hs[512];
  int n = snprintf(hs, sizeof hs,
                   "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                   path, host, port);
  if (write(c->fd, hs, (size_t)n) != n) die("handshake write");
  for (;;) {
    ssize_t r = read(c->fd, c->rbuf + c->rlen, RBUF - c->rlen);
    if (r <= 0) die("handshake read");
    c->rlen += (size_t)r;
    unsigned char *end = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4);
    if (end != NULL) {
      if (memcmp(c->rbuf + 9, "101", 3) != 0) {
        fprintf(stderr, "handshake refused\n");
        exit(2);
      }
      size_t used = (size_t)(end - c->rbuf) + 4;
      memmove(c->rbuf, c->rbuf + used, c->rlen - used);
      c->rlen -= used;
      return;
    }
  }
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* Reads what one connection has, counts the replies, and sends as many new requests at once. */
static int serve_readable(conn_t *c) {
  for (;;) {
    size_t room = RBUF - c->rlen < READ_CHUNK ? RBUF - c->rlen : READ_CHUNK;
    ssize_t r = read(c->fd, c->rbuf + c->rlen, room);
    n_reads++;
    if (r < 0) {
      if (errno == EAGAIN) return 0;
      if (errno == EINTR) continue;
      die("read");
    }
    if (r == 0) {
      fprintf(stderr, "server closed the connection\n");
      exit(3);
    }
    uint64_t t = now_ns();
    c->rlen += (size_t)r;
    size_t at = 0;
    int replies = 0;
    for (;;) {
      int is_data = 1;
      size_t used = mode_ws ? parse_ws(c->rbuf + at, c->rlen - at, &is_data) : parse_http(c->rbuf + at, c->rlen - at);
      if (used == 0) break;
      at += used;
      if (is_data) {
        on_reply(c, t);
        replies++;
      }
    }
    if (at > 0) {
      memmove(c->rbuf, c->rbuf + at, c->rlen - at);
      c->rlen -= at;
    }
    if (replies > 0) send_n(c, replies, t);
    if ((size_t)r < room) return 0;
  }
}

int main(int argc, char **argv) {
  if (argc != 10) {
    fprintf(stderr, "usage: edge-load ws|http HOST PORT PATH REQUEST_FILE CONNS INFLIGHT SECONDS WARMUP\n");
    return 2;
  }
  mode_ws = strcmp(argv[1], "ws") == 0;
  const char *host = argv[2], *path = argv[4];
  int port = atoi(argv[3]), nconns = atoi(argv[6]), inflight = atoi(argv[7]);
  double seconds = atof(argv[8]), warmup = atof(argv[9]);
  if (inflight < 1 || inflight > RING / 2) {
    fprintf(stderr, "INFLIGHT must be 1..%d\n", RING / 2);
    return 2;
  }

  FILE *f = fopen(argv[5], "rb");
  if (f == NULL) die("request file");
  unsigned char body[65536];
  size_t blen = fread(body, 1, sizeof body, f);
  fclose(f);
  unsigned char *req = malloc(blen + 14);
  if (mode_ws) {
    /* A masked client frame with mask 0000: the payload bytes go out unchanged. */
    size_t h = 0;
    req[h++] = 0x82;
    if (blen < 126) {
      req[h++] = 0x80 | (unsigned char)blen;
    } else {
      req[h++] = 0x80 | 126;
      req[h++] = (unsigned char)(blen >> 8);
      req[h++] = (unsigned char)blen;
    }
    memset(req + h, 0, 4);
    h += 4;
    memcpy(req + h, body, blen);
    req_len = h + blen;
  } else {
    memcpy(req, body, blen);
    req_len = blen;
  }
  reqs = malloc(req_len * (size_t)inflight);
  for (int k = 0; k < inflight; k++) memcpy(reqs + (size_t)k * req_len, req, req_len);

  samples = malloc(sizeof(uint32_t) * MAX_SAMPLES);
  conn_t *conns = calloc((size_t)nconns, sizeof(conn_t));
  ep = epoll_create1(0);
  for (int i = 0; i < nconns; i++) {
    conn_t *c = &conns[i];
    c->rbuf = malloc(RBUF);
    c->fd = connect_to(host, port);
    if (mode_ws) ws_handshake(c, host, port, path);
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
  }

  uint64_t start = now_ns();
  measure_from = start + (uint64_t)(warmup * 1e9);
  measure_to = measure_from + (uint64_t)(seconds * 1e9);
  struct rusage ru0;
  getrusage(RUSAGE_SELF, &ru0);
  for (int i = 0; i < nconns; i++) send_n(&conns[i], inflight, now_ns());

  struct epoll_event events[256];
  while (now_ns() < measure_to) {
    int n = epoll_wait(ep, events, 256, 100);
    n_waits++;
    for (int e = 0; e < n; e++) {
      conn_t *c = events[e].data.ptr;
      if (events[e].events & EPOLLOUT) flush(c);
      if (events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) serve_readable(c);
    }
  }
  struct rusage ru1;
  getrusage(RUSAGE_SELF, &ru1);
  double cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) + (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
               (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) + (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
  double wall = (double)(now_ns() - start) / 1e9;
  qsort(samples, nsamples, sizeof(uint32_t), cmp_u32);
  double p50 = nsamples ? samples[nsamples / 2] / 1000.0 : 0, p99 = nsamples ? samples[(size_t)(nsamples * 0.99)] / 1000.0 : 0;
  uint64_t all = 0;
  for (int i = 0; i < nconns; i++) all += conns[i].tail;
  printf("replies=%llu rps=%.0f p50_us=%.1f p99_us=%.1f client_cpu=%.2f errors=%llu syscalls_per_reply=%.3f\n", (unsigned long long)counted,
         counted / seconds, p50, p99, cpu / wall, (unsigned long long)errors, all ? (double)(n_reads + n_writes + n_waits) / (double)all : 0);
  return 0;
}
