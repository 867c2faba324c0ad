// Loaded just before require.js and the ipywidgets html-manager (see nb_ipywidgets_js in
// _config.yml). The manager is an AMD module named "@jupyter-widgets/html-manager/dist/...",
// and it fetches its fonts and code chunks from the folder that name resolves to; by default
// that is a folder next to the page, which does not exist. Map the name to the folder this
// script is served from (_static/html-manager/). A `require` object defined before
// require.js loads is read by require.js as its configuration.
(function () {
  var here = new URL(".", document.currentScript.src).href;
  window.__jupyter_widgets_assets_path__ = here;
  window.require = {
    paths: { "@jupyter-widgets/html-manager/dist": here.replace(/\/$/, "") },
  };
})();
