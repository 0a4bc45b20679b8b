// Fills the latitude/longitude fields of a form from the browser's geolocation, when the citizen allows it.
// The form works without this script: the fields can be typed by hand.
(function () {
  "use strict";
  document.querySelectorAll("button[data-ubicar]").forEach(function (boton) {
    var prefijo = boton.getAttribute("data-ubicar");
    var estado = document.getElementById(prefijo + "_estado");
    if (!("geolocation" in navigator)) { boton.hidden = true; return; }
    boton.hidden = false;
    boton.addEventListener("click", function () {
      estado.textContent = "Obteniendo la ubicación…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById(prefijo + "_latitud").value = pos.coords.latitude.toFixed(6);
        document.getElementById(prefijo + "_longitud").value = pos.coords.longitude.toFixed(6);
        estado.textContent = "Ubicación registrada (precisión " + Math.round(pos.coords.accuracy) + " m).";
      }, function (error) {
        estado.textContent = "No se pudo obtener la ubicación: escriba la latitud y la longitud.";
      }, { enableHighAccuracy: true, timeout: 15000 });
    });
  });
})();
