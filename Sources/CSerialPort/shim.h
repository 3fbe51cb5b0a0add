#ifndef VIGIL_CSERIALPORT_SHIM_H
#define VIGIL_CSERIALPORT_SHIM_H
#include <libserialport.h>
#endif
