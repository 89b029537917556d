/* SPDX-License-Identifier: MIT */
/*
 * probe.h — `fanoutd --healthcheck [URL]`: one GET with plain sockets, for
 * container health checks in images that have no curl or shell.
 */
#ifndef FANOUT_PROBE_H
#define FANOUT_PROBE_H

/*
 * GETs `url` ("http://HOST[:PORT][/PATH]"; NULL means
 * http://127.0.0.1:$FANOUTD_PORT/healthz, port 8080 when unset) within
 * `seconds`.  Returns 0 when the answer's status is 200, else 1 after saying
 * why on stderr.
 */
int probe_run(const char *url, double seconds);

#endif
