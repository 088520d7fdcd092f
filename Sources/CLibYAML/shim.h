#ifndef KAOPING_CLIBYAML_SHIM_H
#define KAOPING_CLIBYAML_SHIM_H
#include <yaml.h>
#endif
