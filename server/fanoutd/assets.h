/* SPDX-License-Identifier: MIT */
/*
 * assets.h — files served as they are, compiled in at build time (the
 * Makefile runs server/fanoutd/assets.sh over the page, its script, style and icon,
 * openapi.yaml and Debian's Chart.js).
 */
#ifndef FANOUT_ASSETS_H
#define FANOUT_ASSETS_H

#include <stddef.h>

struct asset {
	const char *path;      /* the URL path it is served at */
	const char *type;      /* Content-Type */
	const char *cache;     /* Cache-Control */
	const char *data;      /* the bytes, len of them (not NUL-terminated) */
	size_t len;
	const char *etag;      /* strong entity tag, quotes included */
	const char *gz;        /* the same bytes as gzip -9n, gz_len of them */
	size_t gz_len;
	const char *gz_etag;   /* the gzip variant's entity tag */
};

extern const struct asset fo_assets[];
extern const size_t fo_asset_count;

#endif
