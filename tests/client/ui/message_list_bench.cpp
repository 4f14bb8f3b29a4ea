// Frame time of the chat screen with a channel of N messages (default 100,000): a real
// window and GL context (run under Xvfb on a headless machine), the real views, and a
// model fed scripted server frames. Prints the first frame (which lays out every
// message), then the mean and worst of steady frames at the bottom, scrolled to the
// middle, and while a new message arrives every frame. Not a ctest: it measures, it
// asserts nothing about time.
//
//   DISPLAY=:99 parley_ui_bench [messages] [latin]

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_internal.h>  // the list window, to scroll it as a user would

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>
#include <vector>

#include "avatar_atlas.hpp"
#include "chat_view.hpp"
#include "imgui_backend.hpp"
#include "main_loop.hpp"
#include "support/model_harness.hpp"
#include "theme.hpp"
#include "ui_state.hpp"
#include "view_context.hpp"
#include "window.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using namespace parley;

/// Texts of mixed lengths, some wrapping over several lines, in mixed scripts: Latin,
/// Greek, Cyrillic, Chinese, Japanese, Korean, Arabic, Hebrew and emoji; or, with
/// `latin_only`, the first fifteen words alone (the UI font's scripts, as before).
std::string sample_text(message_id id, bool latin_only) {
    static const char* const words[] = {"morning", "is",   "best",   "for",      "fishing",    "Καλημέρα",
                                        "Привет",  "lake", "the",    "boat",     "wind",       "— and",
                                        "then",    "we",   "waited", "你好世界", "こんにちは", "안녕하세요",
                                        "مرحبا",   "שלום", "🎉👍",     "café",     "湖で釣り"};
    const message_id word_count = latin_only ? 15 : sizeof words / sizeof words[0];
    std::string text;
    const int count = 3 + static_cast<int>(id * 7 % 40);
    for (int i = 0; i < count; ++i) {
        if (i) text += ' ';
        text += words[(id + static_cast<message_id>(i) * 3) % word_count];
    }
    return text;
}

/// One frame's cost: building the UI (views, layout: what the message count affects) and
/// the whole frame including GL rendering and the swap (under Xvfb: Mesa's software GL).
struct frame_cost {
    double build_ms = 0;
    double total_ms = 0;
};

struct frame_times {
    std::vector<double> ms;
    void add(double v) { ms.push_back(v); }
    double mean() const {
        double sum = 0;
        for (double v : ms) sum += v;
        return ms.empty() ? 0 : sum / static_cast<double>(ms.size());
    }
    double worst() const { return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()); }
};

}  // namespace

int main(int argc, char** argv) {
    const long count = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 100'000;
    const bool latin_only = argc > 2 && std::string(argv[2]) == "latin";
    auto opened = platform::app_window::open("Parley bench");
    if (const auto* problem = std::get_if<std::string>(&opened)) {
        std::fprintf(stderr, "parley_ui_bench: %s\n", problem->c_str());
        return 1;
    }
    auto window = std::move(std::get<0>(opened));
    glfwSwapInterval(0);  // measure the work, not the display's refresh
    platform::imgui_backend backend(*window);
    ui::theme theme(text::make_system_glyph_source());
    ui::avatar_atlas avatars(window->dialect().shader_prelude);
    ui::ui_state ui;
    ui.current = ui::ui_state::screen::chat;

    client::test::harness h;
    std::vector<chat_message> history;
    history.reserve(static_cast<std::size_t>(count));
    const char* const authors[] = {"ann", "bob", "cleo", "dmitri", "eleni", "fred"};
    for (message_id id = 1; id <= count; ++id) {
        chat_message m = client::test::msg(id, "general", authors[(id / 3) % 6], sample_text(id, latin_only));
        m.timestamp = 1'652'997'756'000 + id * 20'000;
        history.push_back(std::move(m));
    }
    const auto feed_start = clock_type::now();
    // A server sends history in pages; a frame holds at most 10,000 JSON values
    // (limits::max_json_values), and a page of 400 messages about 3,200. Each merges in.
    constexpr std::size_t page = 400;
    h.connect_ready({}, true, {"ann", "bob", "cleo", "dmitri", "eleni", "fred"});
    for (std::size_t end = history.size(); end > 0;) {
        const std::size_t begin = end > page ? end - page : 0;
        h.server(history_page{"general",
                              std::vector<chat_message>(history.begin() + static_cast<std::ptrdiff_t>(begin),
                                                        history.begin() + static_cast<std::ptrdiff_t>(end)),
                              begin > 0});
        end = begin;
    }
    const double feed_ms = std::chrono::duration<double, std::milli>(clock_type::now() - feed_start).count();
    const auto* channel = h.model.active();
    std::printf("messages in the model: %zu (fed in %.0f ms)\n", channel ? channel->messages.size() : 0,
                feed_ms);

    message_id next_id = count + 1;
    const auto frame = [&]() -> frame_cost {
        const auto start = clock_type::now();
        glfwPollEvents();
        if (theme.apply(window->content_scale(), 1.0f)) backend.rebuild_font_texture();
        backend.new_frame();
        avatars.next_frame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImGui::GetIO().DisplaySize);
        ImGui::Begin("bench", nullptr,
                     ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBackground);
        ui::view_context context{h.model, ui, avatars, theme.glyphs(), theme.size_scale(), h.now};
        ui::draw_chat_screen(context);
        ImGui::End();
        ImGui::EndFrame();  // the views have filled the draw lists: the CPU side of the frame
        const auto built = clock_type::now();
        avatars.render_pending();
        if (const auto rows = theme.glyphs().take_changed_rows())
            backend.update_font_texture(rows->first, rows->end);
        backend.render();
        return {std::chrono::duration<double, std::milli>(built - start).count(),
                std::chrono::duration<double, std::milli>(clock_type::now() - start).count()};
    };

    const frame_cost first = frame();
    for (int i = 0; i < 5; ++i) frame();  // settle: fonts, avatars, scroll to the bottom

    frame_times bottom, bottom_total;
    for (int i = 0; i < 200; ++i) {
        const frame_cost cost = frame();
        bottom.add(cost.build_ms);
        bottom_total.add(cost.total_ms);
    }

    frame_times arriving;
    for (int i = 0; i < 200; ++i) {
        chat_message m =
            client::test::msg(next_id, "general", authors[next_id % 6], sample_text(next_id, latin_only));
        m.timestamp = 1'652'997'756'000 + next_id * 20'000;
        ++next_id;
        const auto start = clock_type::now();
        h.server(m);  // the model applies the frame; the view lays out one more message
        const double apply_ms = std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
        arriving.add(apply_ms + frame().build_ms);
    }

    // Scroll to the middle: the user scrolled up, the list stops following.
    auto& list = ui.lists.begin()->second;
    list.stick_to_bottom = false;
    ImGuiWindow* target = nullptr;
    for (ImGuiWindow* w : ImGui::GetCurrentContext()->Windows)
        if (std::string(w->Name).find("##messages") != std::string::npos) target = w;
    frame_times middle;
    for (int i = 0; i < 200; ++i) {
        if (target)
            ImGui::SetScrollY(target, target->ScrollMax.y * 0.5f + static_cast<float>(i % 10) * 40.0f);
        middle.add(frame().build_ms);
    }

    std::printf("UI build time per frame (views + layout until ImGui::EndFrame; excludes GL):\n");
    std::printf("first frame (lays out all): %.1f ms (%.1f ms with GL)\n", first.build_ms, first.total_ms);
    std::printf("at the bottom:              mean %.2f ms, worst %.2f ms (with GL: mean %.2f ms)\n",
                bottom.mean(), bottom.worst(), bottom_total.mean());
    std::printf("a message every frame:      mean %.2f ms, worst %.2f ms\n", arriving.mean(),
                arriving.worst());
    std::printf("scrolling in the middle:    mean %.2f ms, worst %.2f ms\n", middle.mean(), middle.worst());
    std::printf("rows drawn last frame: %zu messages\n", ui.drawn.size());
    const text::glyph_atlas_stats& glyphs = theme.glyphs().stats();
    std::printf(
        "glyphs from the system's fonts: %llu (%llu in no font), %.1f ms rasterising, %llu rebuilds\n",
        static_cast<unsigned long long>(glyphs.added), static_cast<unsigned long long>(glyphs.missing),
        glyphs.rasterise_ms, static_cast<unsigned long long>(glyphs.rebuilds));
    if (const ImDrawData* data = ImGui::GetDrawData()) {
        int commands = 0;
        for (int i = 0; i < data->CmdListsCount; ++i) commands += data->CmdLists[i]->CmdBuffer.Size;
        std::printf("last frame's draw data: %d vertices, %d indices, %d draw commands in %d lists\n",
                    data->TotalVtxCount, data->TotalIdxCount, commands, data->CmdListsCount);
    }
    return 0;
}
