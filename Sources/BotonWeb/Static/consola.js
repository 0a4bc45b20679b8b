// Consola de la UPC: alertas en vivo (Server-Sent Events con reanudación por Last-Event-ID), detalle del
// ciudadano con su mapa (Leaflet servido por nosotros desde libjs-leaflet; sin él, el croquis SVG), acciones
// (tomar, despachar, nota, cerrar, confirmar prueba) y solicitudes por verificar. Nada de una CDN. Todo texto que
// ve el operador está en español.
(function () {
  'use strict';
  var raiz = document.getElementById('consola');
  if (!raiz) { return; }
  var SLA = parseInt(raiz.dataset.sla, 10) || 60;
  var CSRF = raiz.dataset.csrf;
  // El mapa: solo si el servidor sirve Leaflet (data-mapa) y cargó; teselas base solo si están configuradas.
  var MAPA = raiz.dataset.mapa === 'leaflet' && !!window.L;
  var TESELAS = raiz.dataset.teselas || '';
  var CLAVE_SONIDO = 'boton.consola.sonido';
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
  // La elección del operador se recuerda en este navegador (localStorage). El navegador solo deja sonar audio
  // tras un gesto en la página: con el sonido elegido, el primer clic o tecla después de recargar lo habilita.
  var botonSonido = document.getElementById('sonido');
  var sonidoActivo = false;
  try { sonidoActivo = window.localStorage.getItem(CLAVE_SONIDO) === '1'; } catch (e) { /* sin almacenamiento */ }
  function prepararAudio() {
    if (!sonidoActivo) { return; }
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === 'suspended') { audio.resume(); }
    } catch (e) { botonSonido.textContent = 'Este navegador no permite sonido'; }
  }
  function pintarSonido() {
    botonSonido.textContent = sonidoActivo ? 'Sonido de alarma activado · desactivar' : 'Activar sonido de alarma';
    botonSonido.setAttribute('aria-pressed', String(sonidoActivo));
    botonSonido.dataset.activo = sonidoActivo ? '1' : '0';
  }
  botonSonido.addEventListener('click', function () {
    sonidoActivo = !sonidoActivo;
    try { window.localStorage.setItem(CLAVE_SONIDO, sonidoActivo ? '1' : '0'); } catch (e) { /* sin almacenamiento */ }
    prepararAudio();
    pintarSonido();
  });
  // Solo dentro de un gesto del operador se crea el audio (fuera de uno el navegador lo bloquea y lo reprocha).
  document.addEventListener('pointerdown', prepararAudio);
  document.addEventListener('keydown', prepararAudio);
  pintarSonido();
  function sonar() {
    if (!audio || !sonidoActivo) { return; }
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
    // Dentro de la misma urgencia, la más nueva primero (a igual hora, la de número mayor).
    if (a.recibida_ms !== b.recibida_ms) { return b.recibida_ms - a.recibida_ms; }
    return b.id - a.id;
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
      if (a.silenciosa) { b.appendChild(el('span', { 'class': 'marca silenciosa' }, 'SILENCIOSA · NO LLAMAR')); }
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
          avisar((d.alerta.simulacro ? 'Simulacro ' : d.alerta.prueba ? 'Alerta de PRUEBA '
            : d.alerta.silenciosa ? '¡ALERTA SILENCIOSA! No llame a la línea · ' : '¡NUEVA ALERTA! ') + d.alerta.id + ' · ' +
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
    // En la cabecera fija del detalle, bajo las acciones: el operador ve la respuesta donde actuó.
    if (!p) {
      p = el('p', { id: 'mensaje-accion', role: 'status' });
      var cabecera = document.getElementById('cabecera-detalle');
      if (cabecera && detalle.contains(cabecera)) { cabecera.appendChild(p); } else { detalle.prepend(p); }
    }
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
  // Un número de teléfono como enlace tel: (el operador llama con un toque desde el teléfono o el softphone).
  function telefono(texto, e164) {
    var a = el('a', { href: 'tel:' + e164, 'class': 'tel' }, texto);
    return a;
  }
  function filaNodo(dl, termino, nodo) {
    dl.appendChild(el('dt', null, termino));
    var dd = el('dd');
    dd.appendChild(nodo);
    dl.appendChild(dd);
    return dd;
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
    // La cabecera (título, aviso de alerta silenciosa y acciones principales) queda fija arriba al desplazar el
    // detalle, también en un teléfono: "Tomar alerta" siempre a la vista.
    var cabecera = el('div', { id: 'cabecera-detalle', 'class': 'cabecera-detalle' });
    cabecera.appendChild(el('h2', null, 'Alerta ' + a.id + (a.prueba ? ' · PRUEBA' : '') + ' · ' + (ESTADOS[a.estado] || a.estado)));
    if (a.silenciosa) {
      cabecera.appendChild(el('p', { id: 'aviso-silenciosa', 'class': 'aviso silenciosa', role: 'alert' },
        'ALERTA SILENCIOSA — no llame a la línea'));
    }
    var ultima = d.posiciones.length ? d.posiciones[d.posiciones.length - 1] : null;
    var punto = ultima ? [ultima.latitud, ultima.longitud] : d.domicilio ? [d.domicilio.latitud, d.domicilio.longitud] : null;
    var acciones = el('div', { 'class': 'acciones' });
    if (abierta(a) && (a.estado === 'recibida' || a.estado === 'notificada')) {
      var t = el('button', { type: 'button', id: 'accion-tomar' }, 'Tomar alerta');
      t.addEventListener('click', function () { accion(a.id, 'tomar'); });
      acciones.appendChild(t);
    }
    if (abierta(a) && a.prueba) {
      var cp = el('button', { type: 'button', id: 'accion-confirmar-prueba' }, 'Confirmar prueba');
      cp.addEventListener('click', function () { accion(a.id, 'confirmar-prueba'); });
      acciones.appendChild(cp);
    }
    // Llamar a la línea del ciudadano: nunca en una alerta silenciosa (la llamada puede delatarlo).
    if (!a.silenciosa && !a.sitio && d.linea) {
      acciones.appendChild(el('a', { id: 'accion-llamar', 'class': 'boton secundario', href: 'tel:' + d.linea }, 'Llamar a la línea'));
    }
    if (punto) {
      acciones.appendChild(el('a', { id: 'abrir-en-mapas', 'class': 'boton secundario',
        href: 'geo:' + punto[0].toFixed(6) + ',' + punto[1].toFixed(6) + '?q=' + punto[0].toFixed(6) + ',' + punto[1].toFixed(6) },
        ultima ? 'Abrir la última posición en la app de mapas' : 'Abrir el domicilio en la app de mapas'));
    }
    cabecera.appendChild(acciones);
    detalle.appendChild(cabecera);
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
      if (a.sitio.contacto) { filaNodo(dl, 'Contacto del sitio', telefono(a.sitio.contacto, a.sitio.contacto)); }
    }
    if (d.ciudadano) { fila(dl, 'Ciudadano', d.ciudadano.nombres + ' ' + d.ciudadano.apellidos); }
    if (d.ciudadano) { fila(dl, 'Documento', d.ciudadano.documento_texto); }
    if (!a.sitio) {
      if (a.silenciosa) {
        var dd = filaNodo(dl, 'Línea', el('span', { id: 'linea-ciudadano' }, d.linea_nacional));
        dd.appendChild(el('strong', { 'class': 'no-llamar' }, ' · no llamar: alerta silenciosa'));
      } else {
        var enlace = telefono(d.linea_nacional, d.linea);
        enlace.id = 'linea-ciudadano';
        filaNodo(dl, 'Línea', enlace);
      }
    }
    if (typeof a.bateria === 'number') { fila(dl, 'Batería del teléfono', a.bateria + ' %'); }
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
      var ul = el('ul', { 'class': 'contactos' });
      d.contactos.forEach(function (c) {
        var li = el('li', null, c.nombre + ' · ');
        li.appendChild(telefono(c.telefono, c.e164 || c.telefono));
        ul.appendChild(li);
      });
      detalle.appendChild(ul);
    }
    var fig = el('figure', { 'class': MAPA ? 'mapa' : 'croquis' });
    // El mapa se dibuja con su contenedor ya en la página (con su tamaño): fuera de ella Leaflet lo mediría en 0.
    detalle.appendChild(fig);
    if (MAPA) {
      mapaDe(d, fig);
    } else {
      fig.appendChild(el('img', { src: d.croquis + '?v=' + d.posiciones.length, alt: 'Croquis del subcircuito con las posiciones recibidas', width: '480', height: '360' }));
    }
    fig.appendChild(el('figcaption', { id: 'leyenda-mapa' }, (d.posiciones.length === 1 ? '1 posición recibida'
      : d.posiciones.length ? d.posiciones.length + ' posiciones recibidas' : 'Sin posición GPS: se muestra el domicilio registrado') +
      (MAPA ? ' · ● posiciones con su precisión · ■ domicilio · ▲ UPC' : '')));
    if (d.posiciones.length) {
      var ol = el('ol', { 'class': 'posiciones' });
      d.posiciones.forEach(function (p) {
        ol.appendChild(el('li', null, p.latitud.toFixed(5) + ', ' + p.longitud.toFixed(5) +
          (p.precision_m ? ' (±' + p.precision_m + ' m)' : '') + (typeof p.bateria === 'number' ? ' · batería ' + p.bateria + ' %' : '') +
          ' · ' + hora(p.recibida_en)));
      });
      detalle.appendChild(ol);
    }
    if (abierta(a)) {
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

  // --- Mapa (Leaflet) -----------------------------------------------------------------------------------------
  // Un solo mapa para la consola: su contenedor se vuelve a poner en el detalle cada vez que este se pinta, así el
  // mapa no se rehace (ni pierde el zoom del operador) con cada posición que llega por el feed. El territorio
  // (subcircuito, vecinos, UPC) se lee una vez por alerta; el recorrido se redibuja con cada lectura del detalle.
  var mapa = null, capaTerritorio = null, capaRecorrido = null, contenedorMapa = null;
  var alertaDelMapa = null, encuadre = null, limitesSubcircuito = null;
  function mapaDe(d, fig) {
    if (!contenedorMapa) {
      contenedorMapa = el('div', { id: 'mapa', 'class': 'mapa-alerta', role: 'region', 'aria-label': 'Mapa de la alerta' });
    }
    fig.appendChild(contenedorMapa);
    if (mapa) { mapa.invalidateSize(false); }
    if (!mapa) {
      mapa = L.map(contenedorMapa, { zoomControl: true, attributionControl: !!TESELAS });
      if (TESELAS) {
        L.tileLayer(TESELAS, { maxZoom: 19, attribution: 'Teselas: ' + TESELAS.split('/')[2] }).addTo(mapa);
      }
      capaTerritorio = L.featureGroup().addTo(mapa);
      capaRecorrido = L.featureGroup().addTo(mapa);
      mapa.setView([-1.5, -78.5], 7);
    }
    var a = d.alerta;
    if (alertaDelMapa !== a.id) {
      alertaDelMapa = a.id;
      encuadre = null;
      limitesSubcircuito = null;
      capaTerritorio.clearLayers();
      contenedorMapa.dataset.territorio = 'cargando';
      api('GET', d.mapa).then(function (r) {
        if (alertaDelMapa !== a.id || !r.ok) { return; }
        pintarTerritorio(r.datos);
        contenedorMapa.dataset.territorio = 'listo';
        encuadrar(true);
      });
    }
    pintarRecorrido(d);
    encuadrar(false);
  }
  function pintarTerritorio(t) {
    L.geoJSON(t.territorio, {
      style: function (f) {
        var propio = f.properties.papel === 'subcircuito';
        return { className: propio ? 'subcircuito' : 'vecino', color: propio ? '#1d4f91' : '#6b7a8c',
          weight: propio ? 3 : 1, fillOpacity: propio ? 0.12 : 0.04, dashArray: propio ? null : '4 4' };
      },
      onEachFeature: function (f, capa) {
        if (f.properties.papel === 'subcircuito') { limitesSubcircuito = capa.getBounds(); }
        capa.bindTooltip((f.properties.papel === 'subcircuito' ? 'Subcircuito de la alerta: ' : 'Subcircuito vecino: ') +
          f.properties.codigo + ' ' + f.properties.nombre + ' · ' + f.properties.upc);
      }
    }).addTo(capaTerritorio);
    if (t.upc) {
      var upc = L.marker([t.upc.latitud, t.upc.longitud], {
        icon: L.divIcon({ className: 'icono-upc', html: '▲', iconSize: [22, 22] }), title: t.upc.nombre
      }).addTo(capaTerritorio);
      var texto = el('span', null, t.upc.nombre + ' · ');
      texto.appendChild(telefono(t.upc.telefono_nacional, t.upc.telefono));
      upc.bindPopup(texto);
    }
  }
  function pintarRecorrido(d) {
    capaRecorrido.clearLayers();
    if (d.domicilio) {
      L.marker([d.domicilio.latitud, d.domicilio.longitud], {
        icon: L.divIcon({ className: 'icono-domicilio', html: '■', iconSize: [18, 18] }), title: 'Domicilio registrado'
      }).bindTooltip('Domicilio registrado: ' + d.domicilio.direccion).addTo(capaRecorrido);
    }
    var puntos = d.posiciones.map(function (p) { return [p.latitud, p.longitud]; });
    if (puntos.length > 1) {
      L.polyline(puntos, { className: 'recorrido', color: '#c62828', weight: 3, opacity: 0.8 }).addTo(capaRecorrido);
    }
    d.posiciones.forEach(function (p, i) {
      var ultima = i === d.posiciones.length - 1;
      if (p.precision_m) {
        L.circle([p.latitud, p.longitud], { radius: p.precision_m, className: 'precision', color: '#c62828', weight: 1,
          fillOpacity: ultima ? 0.15 : 0.05, interactive: false }).addTo(capaRecorrido);
      }
      L.circleMarker([p.latitud, p.longitud], { radius: ultima ? 9 : 5, className: 'posicion' + (ultima ? ' ultima' : ''),
        color: '#fff', weight: 2, fillColor: '#c62828', fillOpacity: 1 })
        .bindTooltip('Posición ' + (i + 1) + (p.precision_m ? ' (±' + p.precision_m + ' m)' : '') + ' · ' + hora(p.recibida_en) +
          (typeof p.bateria === 'number' ? ' · batería ' + p.bateria + ' %' : ''))
        .addTo(capaRecorrido);
    });
    contenedorMapa.dataset.posiciones = String(d.posiciones.length);
  }
  // Encuadra la primera vez el subcircuito con el recorrido; después solo si la última posición quedó fuera de la
  // vista o en su borde (el operador puede haber acercado el mapa: nunca se acerca más, solo se aleja lo necesario).
  function encuadrar(territorioNuevo) {
    var limites = L.latLngBounds([]);
    if (capaRecorrido.getLayers().length) { limites.extend(capaRecorrido.getBounds()); }
    if (limitesSubcircuito && limitesSubcircuito.isValid()) { limites.extend(limitesSubcircuito); }
    if (!limites.isValid()) { return; }
    if (!encuadre || territorioNuevo) {
      // Sin animación: el recorrido se redibuja con cada evento y debe quedar donde se ve, no a mitad de un zoom.
      mapa.fitBounds(limites, { padding: [20, 20], maxZoom: 17, animate: false });
      encuadre = true;
      return;
    }
    var capas = capaRecorrido.getLayers();
    var ultima = null;
    capas.forEach(function (c) { if (c instanceof L.CircleMarker && !(c instanceof L.Circle)) { ultima = c.getLatLng(); } });
    if (ultima && !mapa.getBounds().pad(-0.1).contains(ultima)) {
      mapa.fitBounds(limites.extend(ultima), { padding: [30, 30], maxZoom: mapa.getZoom(), animate: false });
    }
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
