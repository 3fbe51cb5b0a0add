#ifndef VIGIL_CTURBOJPEG_SHIM_H
#define VIGIL_CTURBOJPEG_SHIM_H
#include <stddef.h>
#include <turbojpeg.h>
#endif
