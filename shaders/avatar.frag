// Avatar, fragment stage: a disc in a colour picked from the name's hash, carrying a
// horizontally mirrored 5x5 pattern (an identicon) from further bits of the same hash.
// Hue and pattern together tell two people apart at a glance; the maths uses only
// integer and float operations defined identically in GLSL 3.30 and GLSL ES 3.00, so the
// desktop and browser clients draw the same picture for a name.

uniform uint u_seed;  // FNV-1a of the folded user name, computed by the client

in vec2 v_uv;
out vec4 frag_color;

// A 32-bit integer mixer (lowbias32): neighbouring seeds give unrelated bits.
uint mix_bits(uint x) {
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

vec3 hsv_to_rgb(vec3 c) {
    vec3 p = abs(fract(c.xxx + vec3(0.0, 2.0 / 3.0, 1.0 / 3.0)) * 6.0 - 3.0);
    return c.z * mix(vec3(1.0), clamp(p - 1.0, 0.0, 1.0), c.y);
}

void main() {
    uint h = mix_bits(u_seed);
    uint pattern = mix_bits(h ^ 0x9e3779b9u);
    float hue = float(h & 0xffffu) / 65536.0;
    // Two brightness bands keep neighbouring hues apart.
    float value = ((h >> 16) & 1u) == 1u ? 0.78 : 0.62;

    vec2 p = v_uv * 2.0 - 1.0;
    float r = length(p);
    float edge = max(fwidth(r), 1e-4);
    float coverage = 1.0 - smoothstep(1.0 - 1.5 * edge, 1.0, r);

    vec3 base = hsv_to_rgb(vec3(hue, 0.58, value));
    vec3 ink = hsv_to_rgb(vec3(hue, 0.12, 0.98));

    // The 5x5 grid fills the square inscribed in a circle of radius 0.62.
    vec2 g = (p / 0.62 + 1.0) * 2.5;
    float on = 0.0;
    if (all(greaterThanEqual(g, vec2(0.0))) && all(lessThan(g, vec2(5.0)))) {
        ivec2 cell = ivec2(floor(g));
        int column = cell.x < 3 ? cell.x : 4 - cell.x;  // mirror columns 3,4 onto 1,0
        int bit = cell.y * 3 + column;
        on = float((pattern >> uint(bit)) & 1u);
    }

    vec3 color = mix(base, ink, on);
    color *= 1.0 - 0.18 * r * r;  // a little depth towards the rim
    frag_color = vec4(color, coverage);
}
