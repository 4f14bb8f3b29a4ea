#include "store/store.hpp"

namespace parley::server {

server_message change_result::notice() const {
    if (what == message_change::kind::edit) return edited_notice{id, channel, text, edited_at};
    return deleted_notice{id, channel};
}

}  // namespace parley::server
