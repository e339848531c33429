/* version.h - the one place the version lives */
#ifndef TSI_VERSION_H
#define TSI_VERSION_H

#define TSI_VERSION	"0.1.0"

#endif
