import BotonHTTP
import BotonConsole
import BotonWebKit

/// The console page: a shell the script `/static/consola.js` fills from the live feed. Everything is served by
/// us (no CDN): the map is Leaflet from Debian's `libjs-leaflet` under `/static/leaflet/`, over the territory layer
/// (`/api/v1/consola/alertas/:id/mapa`) and, when `console.map_tiles_url` is set, that host's base tiles, the only
/// other origin the page's Content-Security-Policy allows (images only). Without Leaflet the dossier shows the
/// server-drawn SVG sketch instead.
extension ConsoleWeb {
    func page(_ context: OfficerContext) -> HTTPResponse {
        let who = context.identity
        let scope = ConsoleScope(who)
        let map = leaflet ? " data-mapa=\"leaflet\" data-teselas=\"\(HTML.attribute(mapTilesURL))\"" : ""
        let body = """
        \(leaflet ? "<link rel=\"stylesheet\" href=\"/static/leaflet/leaflet.css\">" : "")
        <div id="consola" data-sla="\(slaSeconds)" data-csrf="\(HTML.attribute(context.csrfToken))" \
        data-alcance="\(HTML.attribute(scope.description))" data-rol="\(HTML.attribute(who.role.rawValue))"\(map)>
        <div id="alarma" class="alarma" role="alert" hidden></div>
        <p class="conexion"><span id="estado-conexion" aria-live="polite">Conectando con el servidor…</span>
        <button type="button" id="sonido" class="secundario">Activar sonido de alarma</button></p>
        <noscript><p class="aviso error">La consola necesita JavaScript para recibir las alertas en vivo.</p></noscript>
        <div role="tablist" aria-label="Secciones de la consola" class="pestanas">
        <button type="button" role="tab" id="tab-alertas" aria-selected="true" aria-controls="panel-alertas">Alertas</button>
        <button type="button" role="tab" id="tab-solicitudes" aria-selected="false" aria-controls="panel-solicitudes" class="secundario">Solicitudes por verificar</button>
        </div>
        <section id="panel-alertas" role="tabpanel" aria-labelledby="tab-alertas" class="panel-alertas">
        <div class="columna-lista">
        <h2>Alertas abiertas y recientes</h2>
        <p id="sin-alertas">No hay alertas en su jurisdicción.</p>
        <ol id="lista-alertas" class="alertas" aria-live="polite"></ol>
        <section id="sin-senal" class="sin-senal" aria-labelledby="titulo-sin-senal">
        <h2 id="titulo-sin-senal">Sin señal</h2>
        <p id="sin-senal-aviso" aria-live="polite">Cargando los emisores supervisados…</p>
        <table id="tabla-sin-senal" hidden><thead><tr><th>Emisor</th><th>Tipo</th><th>Sin señal desde</th>\
        <th>Última señal</th><th>Última posición</th></tr></thead><tbody></tbody></table>
        </section>
        </div>
        <div id="detalle" class="detalle" tabindex="-1" aria-live="polite"><p>Seleccione una alerta para ver al ciudadano y actuar.</p></div>
        </section>
        <section id="panel-solicitudes" role="tabpanel" aria-labelledby="tab-solicitudes" hidden>
        <h2>Solicitudes por verificar</h2>
        <p id="mensaje-solicitudes"></p>
        <table id="tabla-solicitudes"><thead><tr><th>Trámite</th><th>Estado</th><th>Canal</th><th>UPC</th><th>Ingresada</th></tr></thead><tbody></tbody></table>
        <p><a class="boton" href="/oficial/solicitudes/nueva">Registro presencial</a></p>
        </section>
        </div>
        """
        var response = EnrollmentWeb.officerPage("Consola de la UPC", body, context,
                                                 scripts: leaflet ? ["leaflet/leaflet.js", "consola.js"] : ["consola.js"])
        response.headers.replace(name: "Content-Security-Policy",
                                 value: ConsoleMap.contentSecurityPolicy(tileSource: tileSource))
        return response
    }
}
