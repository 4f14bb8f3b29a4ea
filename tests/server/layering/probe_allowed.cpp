// Compiles: a layer that links parley::server_chat sees the store's interface.
#include "chat/hub.hpp"
#include "store/store.hpp"

int layering_probe() { return sizeof(parley::server::history_query) > 0 ? 0 : 1; }
