// Draws the reference of /openapi.json with Redoc (vendored beside this
// file; nothing is fetched from any other host).
Redoc.init('openapi.json', { hideHostname: false, expandResponses: '200,201' }, document.getElementById('reference'));
