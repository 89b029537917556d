/*
 * assets.h — files served as they are, compiled in from the repository
 * (the Makefile generates their definitions from openapi.yaml and
 * server/page.html).
 */
#ifndef FANOUT_ASSETS_H
#define FANOUT_ASSETS_H

extern const char fo_openapi_yaml[];
extern const char fo_page_html[];

#endif
