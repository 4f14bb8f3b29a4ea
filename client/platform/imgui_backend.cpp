// Shared by both platforms: ImGui's GLFW and OpenGL 3 backends work on the desktop and on
// Emscripten's GLFW emulation alike; only the GLSL version differs.

#include "imgui_backend.hpp"

#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <GLFW/glfw3.h>

#include <algorithm>
#include <cstdint>
#include <utility>

#include "parley_gl.hpp"
#include "sign_in_fields.hpp"
#include "window.hpp"

namespace parley::platform {

imgui_backend::imgui_backend(app_window& window) : window_(window) {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    // Layout is rebuilt from the model every frame; nothing of ImGui's is worth saving.
    io.IniFilename = nullptr;
    io.LogFilename = nullptr;
    // A blinking caret would need a frame every half second; an idle client draws nothing.
    io.ConfigInputTextCursorBlink = false;
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    ImGui_ImplGlfw_InitForOpenGL(window_.handle(), true);
    ImGui_ImplOpenGL3_Init(window_.dialect().imgui_version);
    install_backend_extras(window_.handle());
    install_text_field(window_.handle());
    install_sign_in_fields(window_.handle());
    install_touch(window_.handle());
    // In place of ImGui's key callback, which on_key calls (and which still chains to the
    // main loop's). io.UserData is the application's slot; this backend is its only user.
    io.UserData = this;
    glfwSetKeyCallback(window_.handle(), on_key);
}

void imgui_backend::on_key(GLFWwindow* window, int key, int scancode, int action, int mods) {
    auto* self = static_cast<imgui_backend*>(ImGui::GetIO().UserData);
    const bool tracked = self && key >= 0 && key < static_cast<int>(self->pressed_since_frame_.size());
    if (tracked && action == GLFW_PRESS) self->pressed_since_frame_[static_cast<std::size_t>(key)] = true;
    if (tracked && action == GLFW_RELEASE && self->pressed_since_frame_[static_cast<std::size_t>(key)]) {
        self->held_.push_back({key, scancode, mods});
        return;
    }
    ImGui_ImplGlfw_KeyCallback(window, key, scancode, action, mods);
}

imgui_backend::~imgui_backend() {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
}

void imgui_backend::new_frame() {
    // Releases held back before the previous frame happen now: that frame saw the key
    // down. Those held since then wait for the frame after this one.
    for (const held_release& release : std::exchange(due_, std::move(held_)))
        ImGui_ImplGlfw_KeyCallback(window_.handle(), release.key, release.scancode, GLFW_RELEASE,
                                   release.mods);
    held_.clear();
    pressed_since_frame_.fill(false);
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    apply_touch();
    ImGui::NewFrame();
}

void imgui_backend::render() {
    ImGui::Render();
    int width = 0;
    int height = 0;
    glfwGetFramebufferSize(window_.handle(), &width, &height);
    glViewport(0, 0, width, height);
    const ImVec4 background = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    glClearColor(background.x, background.y, background.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    window_.present();
    sync_text_field();
}

void imgui_backend::rebuild_font_texture() {
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
}

bool imgui_backend::animating() const {
    return touch_animating();
}

void imgui_backend::update_font_texture(int first_row, int end_row) {
    ImFontAtlas& atlas = *ImGui::GetIO().Fonts;
    unsigned char* pixels = nullptr;
    int width = 0;
    int height = 0;
    atlas.GetTexDataAsRGBA32(&pixels, &width, &height);
    first_row = std::max(first_row, 0);
    end_row = std::min(end_row, height);
    if (!pixels || !atlas.TexID || first_row >= end_row) return;
    GLint bound = 0;
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &bound);
    glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(reinterpret_cast<std::intptr_t>(atlas.TexID)));
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, first_row, width, end_row - first_row, GL_RGBA, GL_UNSIGNED_BYTE,
                    pixels + static_cast<std::size_t>(first_row) * static_cast<std::size_t>(width) * 4);
    glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(bound));
}

}  // namespace parley::platform
