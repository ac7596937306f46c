/*
 * version.h - catwalk's version, in one place: `catwalk --version` prints it
 * and every report's run manifest names it (reports/manifest.c).
 */
#ifndef CW_VERSION_H
#define CW_VERSION_H

#define CW_VERSION "1.0.0"

#endif
