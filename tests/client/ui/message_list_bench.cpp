// Frame time of the chat screen with a channel of N messages (default 100,000): a real
// window and GL context (run under Xvfb on a headless machine), the real views, and a
// model fed scripted server frames. Prints the first frame (which lays out every
// message), then the mean and worst of steady frames at the bottom, scrolled to the
// middle, and while a new message arrives every frame. Not a ctest: it measures, it
// asserts nothing about time.
//
//   DISPLAY=:99 parley_ui_bench [messages]

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

/// Texts of mixed lengths, some wrapping over several lines, some Greek and Cyrillic.
std::string sample_text(message_id id) {
    static const char* const words[] = {"morning",  "is",     "best", "for", "fishing",
                                        "Καλημέρα", "Привет", "lake", "the", "boat",
                                        "wind",     "— and",  "then", "we",  "waited"};
    std::string text;
    const int count = 3 + static_cast<int>(id * 7 % 40);
    for (int i = 0; i < count; ++i) {
        if (i) text += ' ';
        text += words[(id + static_cast<message_id>(i) * 3) % 15];
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
    auto opened = platform::app_window::open("Parley bench");
    if (const auto* problem = std::get_if<std::string>(&opened)) {
        std::fprintf(stderr, "parley_ui_bench: %s\n", problem->c_str());
        return 1;
    }
    auto window = std::move(std::get<0>(opened));
    glfwSwapInterval(0);  // measure the work, not the display's refresh
    platform::imgui_backend backend(*window);
    ui::theme theme;
    ui::avatar_atlas avatars(window->dialect().shader_prelude);
    ui::ui_state ui;
    ui.current = ui::ui_state::screen::chat;

    client::test::harness h;
    std::vector<chat_message> history;
    history.reserve(static_cast<std::size_t>(count));
    const char* const authors[] = {"ann", "bob", "cleo", "dmitri", "eleni", "fred"};
    for (message_id id = 1; id <= count; ++id) {
        chat_message m = client::test::msg(id, "general", authors[(id / 3) % 6], sample_text(id));
        m.timestamp = 1'652'997'756'000 + id * 20'000;
        history.push_back(std::move(m));
    }
    const auto feed_start = clock_type::now();
    h.connect_ready(std::move(history), false, {"ann", "bob", "cleo", "dmitri", "eleni", "fred"});
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
        ui::view_context context{h.model, ui, avatars, theme.size_scale(), h.now};
        ui::draw_chat_screen(context);
        ImGui::End();
        ImGui::EndFrame();  // the views have filled the draw lists: the CPU side of the frame
        const auto built = clock_type::now();
        avatars.render_pending();
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
        chat_message m = client::test::msg(next_id, "general", authors[next_id % 6], sample_text(next_id));
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
    if (const ImDrawData* data = ImGui::GetDrawData()) {
        int commands = 0;
        for (int i = 0; i < data->CmdListsCount; ++i) commands += data->CmdLists[i]->CmdBuffer.Size;
        std::printf("last frame's draw data: %d vertices, %d indices, %d draw commands in %d lists\n",
                    data->TotalVtxCount, data->TotalIdxCount, commands, data->CmdListsCount);
    }
    return 0;
}
