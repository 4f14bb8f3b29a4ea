// Starts the WebAssembly client: shows load progress, and a clear message instead of a
// blank page when WebGL2 or WebAssembly is missing or the server cannot be reached.
// A file of its own (not inline) so the page's Content-Security-Policy can forbid inline script.
(function () {
  'use strict';
  // No browser context menu over the canvas: the client draws its own.
  document.getElementById('canvas').addEventListener('contextmenu', function (e) { e.preventDefault(); });
  // On a phone the on-screen keyboard shrinks the visual viewport, not the layout one: the
  // canvas follows it, so the message input stays just above the keyboard.
  if (window.visualViewport) {
    var fitViewport = function () {
      document.getElementById('canvas').style.height = Math.round(window.visualViewport.height) + 'px';
    };
    window.visualViewport.addEventListener('resize', fitViewport);
    fitViewport();
  }
  // Uncompressed sizes of the bundle, filled in by the build (cmake/web_bundle.cmake).
  var wasmBytes = Number('@PARLEY_WASM_BYTES@') || 0;
  var dataBytes = Number('@PARLEY_DATA_BYTES@') || 0;
  var wasmLoaded = 0, dataLoaded = 0, failed = false;
  var panel = document.getElementById('panel');
  var statusLine = document.getElementById('status');
  var fill = document.getElementById('fill');
  var overlay = document.getElementById('overlay');

  function fail(text) {
    failed = true;
    overlay.style.display = 'flex';
    panel.className = 'failed';
    statusLine.textContent = text;
    window.parleyFailure = text;  // for tests
  }
  function progress() {
    if (failed) return;
    var total = wasmBytes + dataBytes;
    var done = Math.min(wasmLoaded, wasmBytes) + Math.min(dataLoaded, dataBytes);
    var fraction = total > 0 ? done / total : 0;
    fill.style.width = Math.round(fraction * 100) + '%';
    statusLine.textContent = 'Loading\u2026 ' + Math.round(done / 1024) + ' of ' + Math.round(total / 1024) + ' KB';
  }
  var unreachable = 'Cannot reach the Parley server at ' + location.host +
      '. Check that it is running, then reload this page.';

  if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
    fail('This browser cannot run Parley: it lacks WebAssembly. Use a current Firefox, Chrome, Edge or Safari.');
    return;
  }
  var probe = document.createElement('canvas');
  if (!probe.getContext('webgl2')) {
    fail('This browser cannot run Parley: WebGL 2 is unavailable or disabled. ' +
         'Enable hardware acceleration or use a current browser.');
    return;
  }

  window.Module = {
    canvas: document.getElementById('canvas'),
    // The bundle sits at the root whatever the page's path (/fishing serves this page).
    locateFile: function (path) { return '/' + path; },
    // Fetch the .wasm ourselves, so the bar shows its real progress.
    instantiateWasm: function (imports, receive) {
      fetch('/parley.wasm', {credentials: 'same-origin'}).then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        if (!response.body || !response.body.getReader) return response.arrayBuffer();
        var reader = response.body.getReader(), chunks = [], length = 0;
        function pump() {
          return reader.read().then(function (step) {
            if (step.done) {
              var bytes = new Uint8Array(length), offset = 0;
              chunks.forEach(function (c) { bytes.set(c, offset); offset += c.length; });
              return bytes.buffer;
            }
            chunks.push(step.value); length += step.value.length;
            wasmLoaded = length; progress();
            return pump();
          });
        }
        return pump();
      }).then(function (bytes) {
        statusLine.textContent = 'Starting\u2026';
        return WebAssembly.instantiate(bytes, imports);
      }).then(function (result) {
        receive(result.instance, result.module);
      }).catch(function (error) {
        fail(String(error).indexOf('HTTP') >= 0 || error instanceof TypeError ? unreachable
             : 'Parley could not start: ' + error);
      });
      return {};
    },
    // Emscripten reports the font package's download here: "Downloading data... (n/m)".
    setStatus: function (text) {
      var m = /\((\d+(\.\d+)?)\/(\d+)\)/.exec(text || '');
      if (m) { dataLoaded = Number(m[1]); progress(); }
    },
    monitorRunDependencies: function () {},
    onRuntimeInitialized: function () {
      if (!failed) overlay.style.display = 'none';
      document.getElementById('canvas').focus();
    },
    // Called by the client (window_web.cpp) when it cannot start, e.g. no WebGL2 context.
    parleyFatal: function (text) { fail('Parley could not start: ' + text + '.'); },
    onAbort: function (what) { fail('Parley stopped unexpectedly (' + what + '). Reload the page to continue.'); },
    print: function (text) { console.log(text); },
    printErr: function (text) { console.warn(text); }
  };
  progress();

  var script = document.createElement('script');
  script.src = '/parley.js';
  script.async = true;
  script.onerror = function () { fail(unreachable); };
  document.body.appendChild(script);
})();
