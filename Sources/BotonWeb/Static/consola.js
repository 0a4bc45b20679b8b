// Consola de la UPC: alertas en vivo (Server-Sent Events con reanudación por Last-Event-ID), detalle del
// ciudadano, acciones (tomar, despachar, nota, cerrar, confirmar prueba) y solicitudes por verificar.
// Sin dependencias externas. Todo texto que ve el operador está en español.
(function () {
  'use strict';
  var raiz = document.getElementById('consola');
  if (!raiz) { return; }
  var SLA = parseInt(raiz.dataset.sla, 10) || 60;
  var CSRF = raiz.dataset.csrf;
  var alertas = new Map();
  var seleccion = null;
  // La respuesta de la última acción ({id, texto, error}): se muestra con el detalle de esa alerta, también cuando
  // el detalle se vuelve a pintar por un evento del feed, hasta que se abre otra alerta.
  var aviso = null;
  var sincronizada = false;
  // Leer el detalle de una alerta queda en la auditoría (ver_alerta). Se relee solo cuando el feed trae un evento que
  // el detalle abierto todavía no muestra, una lectura a la vez; durante una acción del operador no: la lectura que
  // sigue a la acción ya trae sus eventos.
  var leidoHasta = 0;       // id del último evento del historial que muestra el detalle abierto
  var visto = 0;            // id del último evento de la alerta abierta que trajo el feed
  var lectura = null;       // alerta cuya lectura está en curso
  var otraLectura = false;  // volver a leer al terminar la lectura en curso
  var accionEnCurso = null; // alerta sobre la que el operador está actuando
  var audio = null;
  var lista = document.getElementById('lista-alertas');
  var detalle = document.getElementById('detalle');
  var estado = document.getElementById('estado-conexion');
  var alarma = document.getElementById('alarma');

  var ESTADOS = { recibida: 'Recibida', notificada: 'Notificada', tomada: 'Tomada', despachada: 'Despachada', cerrada: 'Cerrada' };
  var RESULTADOS = { atendida: 'Atendida', falsa_alarma: 'Falsa alarma', cancelada_por_ciudadano: 'Cancelada por el ciudadano',
    no_localizada: 'No localizada', prueba: 'Prueba' };
  var TIPOS = { nueva: 'Alerta recibida', transicion: 'Cambio de estado', cierre: 'Cierre', escalada: 'Escalamiento',
    nota: 'Nota', posicion: 'Posición recibida', cancelacion: 'Cancelación del ciudadano' };
  var ESCALADA = ['', 'Escalada a las UPC del circuito', 'Escalada a los supervisores del distrito', 'Escalada a la central'];
  // Level 3 says what really happened to the notice to the central.
  var CENTRAL = { sin_central: 'Nivel 3: sin central configurada (no se envió)', pendiente: 'Escalada a la central · envío pendiente',
    entregada: 'Escalada a la central · entregada', fallando: 'Escalada a la central · envío fallando, se reintenta' };
  function escalamiento(a) {
    if (a.nivel_escalada >= 3 && a.central) { return CENTRAL[a.central] || ESCALADA[3]; }
    return ESCALADA[a.nivel_escalada] || 'Escalada';
  }

  function el(tag, attrs, texto) {
    var e = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); }); }
    if (texto !== undefined && texto !== null) { e.textContent = texto; }
    return e;
  }
  // La fecha como en todas las páginas del servicio: «14:05 del 07/03/2026», hora de Ecuador continental.
  var FORMATO_FECHA = new Intl.DateTimeFormat('es-EC', { timeZone: 'America/Guayaquil', hourCycle: 'h23', year: 'numeric',
    month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  function hora(iso) {
    if (!iso) { return ''; }
    var p = {};
    FORMATO_FECHA.formatToParts(new Date(iso)).forEach(function (x) { p[x.type] = x.value; });
    return p.hour + ':' + p.minute + ' del ' + p.day + '/' + p.month + '/' + p.year;
  }
  function duracion(s) {
    s = Math.max(0, Math.floor(s));
    var m = Math.floor(s / 60), r = s % 60;
    return (m > 0 ? m + ' min ' : '') + r + ' s';
  }

  // --- Alarma visual y sonora -------------------------------------------------------------------------------
  document.getElementById('sonido').addEventListener('click', function () {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      audio.resume();
      this.textContent = 'Sonido de alarma activado';
      this.disabled = true;
    } catch (e) { this.textContent = 'Este navegador no permite sonido'; }
  });
  function sonar() {
    if (!audio) { return; }
    var t = audio.currentTime;
    for (var i = 0; i < 6; i++) {
      var o = audio.createOscillator(), g = audio.createGain();
      o.type = 'square';
      o.frequency.value = i % 2 ? 660 : 990;
      g.gain.value = 0.25;
      o.connect(g); g.connect(audio.destination);
      o.start(t + i * 0.25); o.stop(t + i * 0.25 + 0.2);
    }
  }
  function avisar(texto, prueba, id) {
    alarma.textContent = texto;
    alarma.dataset.id = String(id);
    alarma.hidden = false;
    alarma.className = prueba ? 'alarma prueba' : 'alarma';
    if (!prueba) { sonar(); }
    if (document.hidden && window.Notification && Notification.permission === 'granted') {
      try { new Notification('Botón de Seguridad', { body: texto }); } catch (e) { /* sin notificación */ }
    }
    clearTimeout(avisar.t);
    avisar.t = setTimeout(function () { alarma.hidden = true; }, 15000);
  }
  alarma.addEventListener('click', function () { alarma.hidden = true; });

  // --- Lista --------------------------------------------------------------------------------------------------
  function abierta(a) { return a.estado !== 'cerrada'; }
  function urgencia(a, b) {
    if (abierta(a) !== abierta(b)) { return abierta(a) ? -1 : 1; }
    if (a.prueba !== b.prueba) { return a.prueba ? 1 : -1; }
    if (a.nivel_escalada !== b.nivel_escalada) { return b.nivel_escalada - a.nivel_escalada; }
    return b.recibida_ms - a.recibida_ms;
  }
  function pintar() {
    var orden = Array.from(alertas.values()).sort(urgencia);
    document.getElementById('sin-alertas').hidden = orden.length > 0;
    lista.textContent = '';
    orden.forEach(function (a) {
      var li = el('li', { 'class': 'alerta estado-' + a.estado + (a.prueba ? ' es-prueba' : '') +
        (a.nivel_escalada > 0 && abierta(a) ? ' escalada' : '') + (seleccion === a.id ? ' seleccionada' : ''),
        'data-id': String(a.id) });
      var b = el('button', { type: 'button', 'class': 'abrir-alerta', 'aria-label': 'Ver alerta ' + a.id });
      var titulo = el('span', { 'class': 'titulo' }, 'Alerta ' + a.id + ' · ' + (ESTADOS[a.estado] || a.estado) +
        (a.resultado ? ' (' + (RESULTADOS[a.resultado] || a.resultado) + ')' : ''));
      b.appendChild(titulo);
      if (a.prueba) { b.appendChild(el('span', { 'class': 'marca prueba' }, 'PRUEBA')); }
      if (a.simulacro) { b.appendChild(el('span', { 'class': 'marca prueba simulacro' }, 'SIMULACRO')); }
      if (a.linea_suspendida) { b.appendChild(el('span', { 'class': 'marca suspendida' }, 'LÍNEA SUSPENDIDA')); }
      if (a.sitio) { b.appendChild(el('span', { 'class': 'marca sitio' }, 'SITIO ' + a.sitio.nombre + ' · ' + a.sitio.significado)); }
      if (a.cancelada_en) { b.appendChild(el('span', { 'class': 'marca cancelada' }, a.sitio ? 'CANCELADA POR EL SITIO' : 'CANCELADA POR EL CIUDADANO')); }
      if (a.nivel_escalada > 0) {
        b.appendChild(el('span', { 'class': 'marca escalada' + (a.central ? ' central-' + a.central : ''), 'data-central': a.central || '' },
          escalamiento(a)));
      }
      if (a.propia === false) { b.appendChild(el('span', { 'class': 'marca apoyo' }, 'De ' + (a.upc_nombre || a.upc))); }
      b.appendChild(el('span', { 'class': 'lugar' }, (a.upc_nombre || a.upc) + (a.subcircuito ? ' · ' + a.subcircuito : '')));
      b.appendChild(el('span', { 'class': 'tiempo', 'data-desde': String(a.recibida_ms), 'data-abierta': abierta(a) && !a.prueba &&
        (a.estado === 'recibida' || a.estado === 'notificada') ? '1' : '0' }));
      b.addEventListener('click', function () { abrir(a.id); });
      li.appendChild(b);
      lista.appendChild(li);
    });
    relojes();
  }
  function relojes() {
    var ahora = Date.now();
    lista.querySelectorAll('.tiempo').forEach(function (s) {
      var pasado = (ahora - parseInt(s.dataset.desde, 10)) / 1000;
      var texto = 'Hace ' + duracion(pasado);
      if (s.dataset.abierta === '1') {
        var resta = SLA - pasado;
        texto += resta >= 0 ? ' · SLA: quedan ' + duracion(resta) : ' · SLA vencido hace ' + duracion(-resta);
        s.classList.toggle('vencido', resta < 0);
      }
      s.textContent = texto;
    });
  }
  setInterval(relojes, 1000);

  // --- Feed en vivo -------------------------------------------------------------------------------------------
  function conectar() {
    // Una conexión nueva (no la reconexión automática del EventSource, que envía Last-Event-ID) recibe primero el
    // estado actual: no es motivo de alarma hasta el siguiente `sincronizado`.
    sincronizada = false;
    // `/consola?simulacion=1` muestra también las alertas simuladas de una prueba de carga (ocultas por omisión).
    var fuente = new EventSource('/consola/eventos' + (/[?&]simulacion=1(&|$)/.test(location.search) ? '?simulacion=1' : ''));
    fuente.addEventListener('alerta', function (m) {
      var d = JSON.parse(m.data);
      var anterior = alertas.get(d.alerta.id);
      alertas.set(d.alerta.id, d.alerta);
      if (sincronizada) {
        if (d.evento.tipo === 'nueva') {
          avisar((d.alerta.simulacro ? 'Simulacro ' : d.alerta.prueba ? 'Alerta de PRUEBA ' : '¡NUEVA ALERTA! ') + d.alerta.id + ' · ' +
            (d.alerta.upc_nombre || d.alerta.upc) + (d.alerta.linea_suspendida ? ' · línea suspendida' : ''),
            d.alerta.prueba || d.alerta.simulacro, d.alerta.id);
        } else if (d.evento.tipo === 'escalada' && (!anterior || anterior.nivel_escalada < d.alerta.nivel_escalada)) {
          avisar('Alerta ' + d.alerta.id + ' sin tomar: ' + escalamiento(d.alerta), false,
            d.alerta.id);
        } else if (d.evento.tipo === 'cancelacion') {
          avisar('El ciudadano canceló la alerta ' + d.alerta.id + '. Ciérrela cuando lo confirme.', true, d.alerta.id);
        }
      }
      pintar();
      if (seleccion === d.alerta.id && sincronizada) {
        visto = Math.max(visto, d.evento.id);
        if (accionEnCurso !== d.alerta.id && visto > leidoHasta) { leer(d.alerta.id, true); }
      }
    });
    fuente.addEventListener('sincronizado', function () {
      sincronizada = true;
      sinSenal();
      estado.textContent = 'En línea · alertas en vivo';
      estado.className = 'en-linea';
      pintar();
    });
    fuente.addEventListener('sesion_terminada', function () {
      fuente.close();
      window.location.href = '/oficial/ingreso?sesion=vencida';
    });
    fuente.onerror = function () {
      estado.textContent = 'Sin conexión con el servidor · reintentando (no se perderán alertas)';
      estado.className = 'sin-conexion';
      if (fuente.readyState === EventSource.CLOSED) {
        fetch('/api/v1/sesiones/actual', { credentials: 'same-origin' }).then(function (r) {
          if (r.status === 401) { window.location.href = '/oficial/ingreso?sesion=vencida&volver=%2Fconsola'; }
          else { setTimeout(conectar, 3000); }
        }, function () { setTimeout(conectar, 3000); });
      }
    };
  }

  // --- Detalle y acciones -------------------------------------------------------------------------------------
  function api(metodo, ruta, cuerpo) {
    var opciones = { method: metodo, credentials: 'same-origin', headers: { 'Accept': 'application/json' } };
    if (metodo !== 'GET') {
      opciones.headers['Content-Type'] = 'application/json';
      opciones.headers['X-CSRF-Token'] = CSRF;
      opciones.body = JSON.stringify(cuerpo || {});
    }
    return fetch(ruta, opciones).then(function (r) {
      if (r.status === 401) { window.location.href = '/oficial/ingreso?sesion=vencida'; }
      return r.json().then(function (j) { return { ok: r.ok, estado: r.status, datos: j }; });
    });
  }
  function fila(dl, termino, valor) {
    if (valor === undefined || valor === null || valor === '') { return; }
    dl.appendChild(el('dt', null, termino));
    dl.appendChild(el('dd', null, valor));
  }
  function abrir(id, silencioso) {
    if (seleccion !== id) { aviso = null; leidoHasta = 0; visto = 0; }
    seleccion = id;
    // El operador abrió la alerta que anuncia la alarma: la alarma ya cumplió.
    if (!silencioso && alarma.dataset.id === String(id)) { alarma.hidden = true; }
    leer(id, silencioso);
  }
  function leer(id, silencioso) {
    if (lectura === id) { otraLectura = true; return; }
    lectura = id;
    otraLectura = false;
    api('GET', '/api/v1/consola/alertas/' + id).then(function (r) {
      lectura = null;
      if (seleccion !== id) { return; }  // mientras tanto se abrió otra alerta
      if (!r.ok) { mensaje(r.datos.mensaje || 'No se pudo abrir la alerta.', true); return; }
      mostrar(r.datos);
      pintar();
      if (!silencioso) { detalle.focus(); }
      if (otraLectura && visto > leidoHasta && accionEnCurso !== id) { leer(id, true); }
    }, function () {
      lectura = null;
      mensaje('Sin conexión con el servidor.', true);
    });
  }
  function mensaje(texto, error) {
    aviso = { id: seleccion, texto: texto, error: !!error };
    mostrarAviso();
  }
  function mostrarAviso() {
    var p = document.getElementById('mensaje-accion');
    if (!aviso || aviso.id !== seleccion) { if (p) { p.remove(); } return; }
    if (!p) { p = el('p', { id: 'mensaje-accion', role: 'status' }); detalle.prepend(p); }
    p.textContent = aviso.texto;
    p.className = aviso.error ? 'aviso error' : 'aviso exito';
  }
  function levantarSuspension(id, linea, f) {
    accionEnCurso = id;
    api('POST', '/api/v1/consola/lineas/' + encodeURIComponent(linea) + '/levantar-suspension',
      { motivo: f['motivo-suspension'].value }).then(function (r) {
      accionEnCurso = null;
      if (r.ok) { f.reset(); }
      aviso = { id: id, texto: r.datos.mensaje || (r.ok ? 'Listo.' : 'No se pudo.'), error: !r.ok };
      mostrarAviso();
      abrir(id, true);
    }, function () {
      accionEnCurso = null;
      mensaje('Sin conexión con el servidor.', true);
    });
  }
  function accion(id, nombre, cuerpo, formularioEnviado) {
    accionEnCurso = id;
    api('POST', '/api/v1/consola/alertas/' + id + '/' + nombre, cuerpo).then(function (r) {
      accionEnCurso = null;
      if (r.ok && r.datos.alerta) { alertas.set(r.datos.alerta.id, r.datos.alerta); pintar(); }
      // Lo escrito ya quedó registrado: el formulario vuelve a quedar vacío.
      if (r.ok && formularioEnviado) { formularioEnviado.reset(); }
      aviso = { id: id, texto: r.datos.mensaje || (r.ok ? 'Listo.' : 'No se pudo.'), error: !r.ok };
      mostrarAviso();
      abrir(id, true);
    }, function () {
      accionEnCurso = null;
      mensaje('Sin conexión con el servidor: la acción no se registró.', true);
      if (seleccion === id && visto > leidoHasta) { leer(id, true); }
    });
  }
  function formulario(titulo, campos, boton, alEnviar, clase) {
    var f = el('form', { 'class': 'accion ' + (clase || ''), novalidate: '' });
    f.appendChild(el('h3', null, titulo));
    campos.forEach(function (c) { f.appendChild(c); });
    f.appendChild(el('button', { type: 'submit' }, boton));
    f.addEventListener('submit', function (e) { e.preventDefault(); alEnviar(f); });
    return f;
  }
  function campo(id, etiqueta, tipo, opciones) {
    var d = el('div');
    d.appendChild(el('label', { 'for': id }, etiqueta));
    var c;
    if (tipo === 'select') {
      c = el('select', { id: id, name: id });
      opciones.forEach(function (o) { c.appendChild(el('option', { value: o[0] }, o[1])); });
    } else if (tipo === 'textarea') {
      c = el('textarea', { id: id, name: id, rows: '2' });
    } else {
      c = el('input', { id: id, name: id, type: 'text', autocomplete: 'off' });
    }
    d.appendChild(c);
    return d;
  }
  function mostrar(d) {
    var a = d.alerta;
    // El detalle se vuelve a pintar con cada evento de la alerta: lo que el operador estaba escribiendo (y dónde)
    // se conserva.
    var escrito = {}, foco = null;
    if (detalle.dataset.id === String(a.id)) {
      detalle.querySelectorAll('input, textarea, select').forEach(function (c) { if (c.id) { escrito[c.id] = c.value; } });
      var activo = document.activeElement;
      if (activo && activo.id && detalle.contains(activo) && activo.id in escrito) {
        foco = { id: activo.id, inicio: activo.selectionStart, fin: activo.selectionEnd };
      }
    }
    detalle.dataset.id = String(a.id);
    detalle.textContent = '';
    detalle.appendChild(el('h2', null, 'Alerta ' + a.id + (a.prueba ? ' · PRUEBA' : '') + ' · ' + (ESTADOS[a.estado] || a.estado)));
    if (a.linea_suspendida) {
      detalle.appendChild(el('p', { 'class': 'aviso error' }, 'La línea está suspendida por falsas alarmas. La alerta se atiende igual.'));
    }
    // Mientras la línea siga suspendida, un supervisor o un administrador la levanta aquí mismo (el operador de UPC no).
    if (raiz.dataset.rol !== 'operador_upc' && !a.sitio && d.linea_suspendida_ahora) {
      detalle.appendChild(formulario('Levantar la suspensión de la línea', [campo('motivo-suspension', 'Motivo (queda en la auditoría)', 'textarea')],
        'Levantar suspensión', function (f) { levantarSuspension(a.id, d.linea, f); }));
    }
    if (a.cancelada_en) {
      detalle.appendChild(el('p', { 'class': 'aviso' }, (a.sitio ? 'El sitio envió una cancelación o apertura tras la alarma (' : 'El ciudadano canceló la alerta (') + hora(a.cancelada_en) + '). Confirme y ciérrela.'));
    }
    var dl = el('dl', { 'class': 'datos' });
    if (a.sitio) {
      fila(dl, 'Sitio (panel de alarma)', a.sitio.nombre);
      fila(dl, 'Dirección del sitio', a.sitio.direccion);
      fila(dl, 'Cuenta DC-09', a.sitio.cuenta);
      fila(dl, 'Evento', a.sitio.codigo + ' · ' + a.sitio.significado);
      fila(dl, 'Contacto del sitio', a.sitio.contacto);
    }
    if (d.ciudadano) { fila(dl, 'Ciudadano', d.ciudadano.nombres + ' ' + d.ciudadano.apellidos); }
    if (d.ciudadano) { fila(dl, 'Documento', d.ciudadano.documento_texto); }
    if (!a.sitio) { fila(dl, 'Línea', d.linea_nacional); }
    if (d.domicilio) { fila(dl, 'Domicilio registrado', d.domicilio.direccion); }
    if (d.trabajo) { fila(dl, 'Trabajo', d.trabajo.direccion); }
    fila(dl, 'Recibida', hora(a.recibida_en));
    fila(dl, 'UPC', (a.upc_nombre || '') + ' (' + a.upc + ')');
    fila(dl, 'Subcircuito', a.subcircuito);
    fila(dl, 'Ubicación por', a.ubicacion === 'gps' ? 'GPS del teléfono' : a.ubicacion === 'domicilio' ? 'domicilio registrado (sin GPS)' : a.ubicacion);
    if (a.nivel_escalada > 0) { fila(dl, 'Escalamiento', escalamiento(a)); }
    fila(dl, 'Unidad despachada', a.unidad);
    fila(dl, 'Trámite', d.tramite);
    detalle.appendChild(dl);
    if (d.contactos.length) {
      detalle.appendChild(el('h3', null, 'Contactos de referencia'));
      var ul = el('ul');
      d.contactos.forEach(function (c) { ul.appendChild(el('li', null, c.nombre + ' · ' + c.telefono)); });
      detalle.appendChild(ul);
    }
    var fig = el('figure', { 'class': 'croquis' });
    fig.appendChild(el('img', { src: d.croquis + '?v=' + d.posiciones.length, alt: 'Croquis del subcircuito con las posiciones recibidas', width: '480', height: '360' }));
    fig.appendChild(el('figcaption', null, d.posiciones.length ? d.posiciones.length + (d.posiciones.length === 1 ? ' posición recibida' : ' posiciones recibidas') : 'Sin posición GPS: se muestra el domicilio registrado'));
    detalle.appendChild(fig);
    if (d.posiciones.length) {
      var ol = el('ol', { 'class': 'posiciones' });
      d.posiciones.forEach(function (p) {
        ol.appendChild(el('li', null, p.latitud.toFixed(5) + ', ' + p.longitud.toFixed(5) +
          (p.precision_m ? ' (±' + p.precision_m + ' m)' : '') + ' · ' + hora(p.recibida_en)));
      });
      detalle.appendChild(ol);
    }
    if (abierta(a)) {
      var acciones = el('div', { 'class': 'acciones' });
      if (a.estado === 'recibida' || a.estado === 'notificada') {
        var t = el('button', { type: 'button', id: 'accion-tomar' }, 'Tomar alerta');
        t.addEventListener('click', function () { accion(a.id, 'tomar'); });
        acciones.appendChild(t);
      }
      if (a.prueba) {
        var cp = el('button', { type: 'button', id: 'accion-confirmar-prueba' }, 'Confirmar prueba');
        cp.addEventListener('click', function () { accion(a.id, 'confirmar-prueba'); });
        acciones.appendChild(cp);
      }
      detalle.appendChild(acciones);
      if (a.estado === 'tomada') {
        detalle.appendChild(formulario('Despachar', [campo('unidad', 'Unidad o patrullero')], 'Despachar',
          function (f) { accion(a.id, 'despachar', { unidad: f.unidad.value }, f); }));
      }
      detalle.appendChild(formulario('Agregar al historial', [campo('texto-nota', 'Nota', 'textarea')], 'Guardar nota',
        function (f) { accion(a.id, 'nota', { texto: f['texto-nota'].value }, f); }));
      if (a.estado === 'tomada' || a.estado === 'despachada') {
        var opciones = a.prueba ? [['prueba', 'Prueba']] : [['atendida', 'Atendida'], ['falsa_alarma', 'Falsa alarma'],
          ['cancelada_por_ciudadano', 'Cancelada por el ciudadano'], ['no_localizada', 'No localizada']];
        detalle.appendChild(formulario('Cerrar', [campo('resultado', 'Resultado', 'select', opciones),
          campo('nota-cierre', 'Observación (opcional)', 'textarea')], 'Cerrar alerta',
          function (f) { accion(a.id, 'cerrar', { resultado: f.resultado.value, nota: f['nota-cierre'].value }, f); }, 'cierre'));
      }
    }
    detalle.appendChild(el('h3', null, 'Historial'));
    var h = el('ol', { 'class': 'historial' });
    leidoHasta = d.historial.reduce(function (m, e) { return Math.max(m, e.id); }, 0);
    d.historial.forEach(function (e) {
      var texto = hora(e.en) + ' · ' + (TIPOS[e.tipo] || e.tipo) + (e.a && e.tipo !== 'nueva' ? ' → ' + (ESTADOS[e.a] || e.a) : '') +
        (e.tipo === 'cierre' && e.detalle ? ' (' + (RESULTADOS[e.detalle] || e.detalle) + ')' : '') +
        (e.tipo === 'nota' && e.detalle ? ': ' + e.detalle : '') + (e.nota ? ': ' + e.nota : '') + ' · ' + autor(e.actor, d.actores);
      h.appendChild(el('li', null, texto));
    });
    detalle.appendChild(h);
    Object.keys(escrito).forEach(function (id) {
      var c = document.getElementById(id);
      if (c && detalle.contains(c)) { c.value = escrito[id]; }
    });
    if (foco && document.getElementById(foco.id)) {
      var enfocado = document.getElementById(foco.id);
      enfocado.focus();
      if (typeof foco.inicio === 'number' && enfocado.setSelectionRange) { enfocado.setSelectionRange(foco.inicio, foco.fin); }
    }
    mostrarAviso();
  }
  // Quién hizo cada cosa, en palabras del operador (el registro guarda `operador:42`, `dispositivo:<id>`…); los
  // operadores, con el grado y el nombre que trae el expediente (`actores`).
  function autor(actor, actores) {
    if (actores && actores[actor]) { return actores[actor]; }
    if (actor === 'sistema') { return 'sistema'; }
    if (actor === 'ciudadano') { return 'ciudadano'; }
    if (actor.indexOf('dispositivo:') === 0) { return 'teléfono del ciudadano'; }
    if (actor.indexOf('gateway:') === 0) { return 'llamada al 135'; }
    if (actor.indexOf('operador:') === 0) { return 'operador (cuenta ' + actor.slice(9) + ')'; }
    return actor;
  }

  // --- Pestañas y solicitudes ---------------------------------------------------------------------------------
  function pestana(cual) {
    ['alertas', 'solicitudes'].forEach(function (n) {
      var tab = document.getElementById('tab-' + n);
      tab.setAttribute('aria-selected', String(n === cual));
      tab.className = n === cual ? '' : 'secundario';
      document.getElementById('panel-' + n).hidden = n !== cual;
    });
    if (cual === 'solicitudes') { solicitudes(); }
  }
  document.getElementById('tab-alertas').addEventListener('click', function () { pestana('alertas'); });
  document.getElementById('tab-solicitudes').addEventListener('click', function () { pestana('solicitudes'); });
  function solicitudes() {
    var cuerpo = document.querySelector('#tabla-solicitudes tbody');
    var aviso = document.getElementById('mensaje-solicitudes');
    api('GET', '/api/v1/oficial/enrolamientos').then(function (r) {
      cuerpo.textContent = '';
      if (!r.ok) { aviso.textContent = r.datos.mensaje || 'No se pudo cargar.'; return; }
      aviso.textContent = r.datos.solicitudes.length ? '' : 'No hay solicitudes pendientes.';
      r.datos.solicitudes.forEach(function (s) {
        var tr = el('tr');
        var td = el('td');
        td.appendChild(el('a', { href: '/oficial/solicitudes/' + encodeURIComponent(s.tramite) }, s.tramite));
        tr.appendChild(td);
        tr.appendChild(el('td', null, s.estado_nombre));
        tr.appendChild(el('td', null, s.canal === 'presencial' ? 'Presencial' : 'En línea'));
        tr.appendChild(el('td', null, s.upc));
        tr.appendChild(el('td', null, hora(s.creada)));
        cuerpo.appendChild(tr);
      });
    });
  }

  // --- Sin señal: emisores supervisados en silencio ------------------------------------------------------------
  // Leído al abrir, cada vez que el canal en vivo se sincroniza y cada 30 s (se limpia solo con la siguiente
  // señal del emisor).
  function sinSenal() {
    var tabla = document.getElementById('tabla-sin-senal');
    var cuerpo = tabla.querySelector('tbody');
    var aviso = document.getElementById('sin-senal-aviso');
    api('GET', '/api/v1/consola/sin-senal').then(function (r) {
      if (!r.ok) { aviso.textContent = r.datos.mensaje || 'No se pudo cargar la lista.'; return; }
      cuerpo.textContent = '';
      var lista = r.datos.sin_senal;
      tabla.hidden = lista.length === 0;
      aviso.textContent = lista.length ? '' : 'Todos los emisores supervisados de su jurisdicción tienen señal.';
      lista.forEach(function (s) {
        var tr = el('tr', { 'data-tipo': s.tipo, 'data-id': s.id });
        tr.appendChild(el('td', { 'class': 'emisor' }, s.nombre));
        tr.appendChild(el('td', null, s.tipo_nombre));
        tr.appendChild(el('td', { 'class': 'desde' }, hora(s.sin_senal_desde)));
        tr.appendChild(el('td', null, hora(s.ultima_senal)));
        tr.appendChild(el('td', { 'class': 'posicion' }, s.latitud == null ? 'Sin posición'
          : s.latitud.toFixed(5) + ', ' + s.longitud.toFixed(5)));
        cuerpo.appendChild(tr);
      });
    }, function () { aviso.textContent = 'No se pudo cargar la lista.'; });
  }
  sinSenal();
  setInterval(sinSenal, 30000);

  conectar();
})();
