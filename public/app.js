/* Random Chat demo client. Plain browser JS; speaks only the documented protocol (src/realtime/events.ts). */
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const els = {
    body: document.body,
    typeChat: $('type-chat'),
    typeVideo: $('type-video'),
    interests: $('interests'),
    language: $('language'),
    status: $('status'),
    chips: $('common-interests'),
    messages: $('messages'),
    typing: $('typing-indicator'),
    composer: $('composer'),
    input: $('message-input'),
    send: $('send'),
    localVideo: $('local-video'),
    remoteVideo: $('remote-video'),
    remotePlaceholder: $('remote-placeholder'),
    online: $('online-count-text'),
    start: $('start'),
    next: $('next'),
    stop: $('stop'),
    report: $('report'),
    toasts: $('toasts'),
  };

  const TYPING_IDLE_MS = 1500;

  // ---- state ---------------------------------------------------------------------------------
  /** 'idle' | 'waiting' | 'connected' | 'reconnecting' | 'partner_left' | 'offline' */
  let state = 'idle';
  let mode = 'chat';
  let userId = null;
  let room = null; // { roomId, partnerId, type, initiator, iceServers }
  let pc = null;
  let pendingCandidates = [];
  let localStream = null;
  let localStreamPromise = null;
  let signalChain = Promise.resolve(); // serialises WebRTC steps so offer/answer/candidates apply in order
  let typingSent = false;
  let typingTimer = null;
  let partnerTypingTimer = null;

  // ---- socket --------------------------------------------------------------------------------
  const socket = io({ transports: ['websocket', 'polling'] });
  // Closing the tab is a deliberate leave: say so, so the partner is told at once instead of
  // waiting out the reconnect grace kept for dropped networks.
  window.addEventListener('pagehide', () => socket.disconnect());

  window.__demo = {
    get pc() {
      return pc;
    },
    get state() {
      return state;
    },
    get userId() {
      return userId;
    },
    get roomId() {
      return room ? room.roomId : null;
    },
    get socket() {
      return socket;
    },
  };

  // ---- UI helpers ----------------------------------------------------------------------------
  function setState(next, statusText) {
    state = next;
    els.body.dataset.state = next;
    if (statusText !== undefined) els.status.textContent = statusText;
    const inRoom = next === 'connected' || next === 'reconnecting';
    const busy = inRoom || next === 'waiting';
    els.input.disabled = !inRoom;
    els.send.disabled = !inRoom;
    els.start.disabled = busy || next === 'offline';
    els.next.disabled = !(inRoom || next === 'partner_left');
    els.stop.disabled = !(busy || next === 'partner_left');
    els.report.disabled = !inRoom;
    els.typeChat.disabled = busy;
    els.typeVideo.disabled = busy;
    els.interests.disabled = busy;
    els.language.disabled = busy;
    if (!inRoom) showPartnerTyping(false);
  }

  function setMode(next) {
    mode = next;
    els.body.dataset.mode = next;
    els.typeChat.setAttribute('aria-pressed', String(next === 'chat'));
    els.typeVideo.setAttribute('aria-pressed', String(next === 'video'));
    if (next === 'chat') stopLocalMedia();
  }

  function toast(text, kind) {
    const el = document.createElement('div');
    el.className = 'toast' + (kind ? ' toast-' + kind : '');
    el.setAttribute('role', 'alert');
    el.textContent = text;
    els.toasts.appendChild(el);
    setTimeout(() => el.classList.add('toast-out'), 3600);
    setTimeout(() => el.remove(), 4000);
  }

  function renderChips(list) {
    els.chips.textContent = '';
    (list || []).forEach((interest) => {
      const li = document.createElement('li');
      li.className = 'chip';
      li.textContent = interest;
      els.chips.appendChild(li);
    });
  }

  function clearMessages() {
    els.messages.textContent = '';
  }

  function addSystemMessage(text) {
    const li = document.createElement('li');
    li.className = 'system';
    li.textContent = text;
    els.messages.appendChild(li);
    scrollMessages();
  }

  function addChatMessage(msg) {
    const mine = msg.sender === userId;
    const li = document.createElement('li');
    li.className = 'message ' + (mine ? 'mine' : 'theirs');
    li.dataset.id = msg.id;
    const text = document.createElement('span');
    text.className = 'message-text';
    text.textContent = msg.text;
    const time = document.createElement('time');
    time.className = 'message-time';
    const date = new Date(typeof msg.timestamp === 'number' ? msg.timestamp : Date.now());
    time.dateTime = date.toISOString();
    time.textContent = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    li.append(text, time);
    els.messages.appendChild(li);
    scrollMessages();
  }

  function scrollMessages() {
    els.messages.scrollTop = els.messages.scrollHeight;
  }

  function showPartnerTyping(on) {
    els.typing.hidden = !on;
    clearTimeout(partnerTypingTimer);
    // Safety net: if the "stopped typing" event is lost, hide the indicator eventually.
    if (on) partnerTypingTimer = setTimeout(() => (els.typing.hidden = true), 6000);
  }

  function preferences() {
    const interests = els.interests.value
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean)
      .filter((s, i, all) => all.indexOf(s) === i)
      .slice(0, 10);
    const prefs = {};
    if (interests.length) prefs.interests = interests;
    if (els.language.value) prefs.language = els.language.value;
    return prefs;
  }

  // ---- typing (own) --------------------------------------------------------------------------
  function sendTyping(isTyping) {
    if (!room || typingSent === isTyping) return;
    typingSent = isTyping;
    socket.emit('typing', { roomId: room.roomId, isTyping });
  }

  function resetOwnTyping() {
    clearTimeout(typingTimer);
    typingTimer = null;
    typingSent = false;
  }

  els.input.addEventListener('input', () => {
    if (!room) return;
    if (els.input.value.length === 0) {
      clearTimeout(typingTimer);
      sendTyping(false);
      return;
    }
    sendTyping(true);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => sendTyping(false), TYPING_IDLE_MS);
  });

  els.composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = els.input.value.trim();
    if (!room || !text) return;
    // Not rendered locally: the server echoes new_message to both users, with the server's sender id.
    socket.emit('send_message', { roomId: room.roomId, message: text });
    els.input.value = '';
    clearTimeout(typingTimer);
    sendTyping(false);
    els.input.focus();
  });

  // ---- media / WebRTC ------------------------------------------------------------------------
  function getLocalMedia() {
    if (localStream) return Promise.resolve(localStream);
    if (!localStreamPromise) {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        return Promise.reject(new Error('Camera access needs HTTPS (or localhost).'));
      }
      localStreamPromise = navigator.mediaDevices
        .getUserMedia({ video: true, audio: true })
        .then((stream) => {
          localStream = stream;
          els.localVideo.srcObject = stream;
          els.localVideo.play().catch(() => {});
          return stream;
        })
        .finally(() => {
          localStreamPromise = null;
        });
    }
    return localStreamPromise;
  }

  function stopLocalMedia() {
    if (localStream) localStream.getTracks().forEach((t) => t.stop());
    localStream = null;
    els.localVideo.srcObject = null;
  }

  function closePeer() {
    pendingCandidates = [];
    if (pc) {
      pc.onicecandidate = null;
      pc.ontrack = null;
      pc.onconnectionstatechange = null;
      pc.close();
      pc = null;
    }
    els.remoteVideo.srcObject = null;
    els.body.classList.remove('has-remote');
  }

  /** Queue a WebRTC step; every step re-checks that its room is still the current one. */
  function signal(step) {
    signalChain = signalChain.then(step).catch((err) => {
      console.error('[webrtc]', err);
      toast('Video error: ' + (err && err.message ? err.message : err), 'error');
    });
    return signalChain;
  }

  async function setupPeer(current) {
    const stream = await getLocalMedia();
    if (room !== current) return;
    closePeer();
    const peer = new RTCPeerConnection({ iceServers: current.iceServers || [] });
    pc = peer;
    stream.getTracks().forEach((track) => peer.addTrack(track, stream));
    peer.onicecandidate = (e) => {
      if (e.candidate && room === current) {
        socket.emit('ice_candidate', { roomId: current.roomId, candidate: e.candidate.toJSON() });
      }
    };
    peer.ontrack = (e) => {
      const remote = e.streams && e.streams[0] ? e.streams[0] : new MediaStream([e.track]);
      if (els.remoteVideo.srcObject !== remote) {
        els.remoteVideo.srcObject = remote;
        els.remoteVideo.play().catch(() => {});
      }
      els.body.classList.add('has-remote');
    };
    peer.onconnectionstatechange = () => {
      if (pc !== peer) return;
      if (peer.connectionState === 'failed') toast('Video connection failed', 'error');
    };
    if (current.initiator) {
      const offer = await peer.createOffer();
      await peer.setLocalDescription(offer);
      if (room === current && pc === peer) {
        socket.emit('offer', { roomId: current.roomId, offer: { type: offer.type, sdp: offer.sdp } });
      }
    }
  }

  async function flushCandidates(peer) {
    const queued = pendingCandidates;
    pendingCandidates = [];
    for (const c of queued) {
      await peer.addIceCandidate(c).catch((err) => console.warn('[webrtc] candidate', err));
    }
  }

  function onOffer(payload) {
    const current = room;
    signal(async () => {
      if (!current || room !== current || !pc || current.initiator) return;
      const peer = pc;
      await peer.setRemoteDescription(payload.offer);
      await flushCandidates(peer);
      const answer = await peer.createAnswer();
      await peer.setLocalDescription(answer);
      if (room === current && pc === peer) {
        socket.emit('answer', { roomId: current.roomId, answer: { type: answer.type, sdp: answer.sdp } });
      }
    });
  }

  function onAnswer(payload) {
    const current = room;
    signal(async () => {
      if (!current || room !== current || !pc || pc.signalingState !== 'have-local-offer') return;
      const peer = pc;
      await peer.setRemoteDescription(payload.answer);
      await flushCandidates(peer);
    });
  }

  function onIceCandidate(payload) {
    const current = room;
    if (!payload || !payload.candidate) return;
    // Not through the chain: candidates must not wait behind getUserMedia, they are queued instead.
    if (pc && room === current && pc.remoteDescription) {
      pc.addIceCandidate(payload.candidate).catch((err) => console.warn('[webrtc] candidate', err));
    } else if (room === current) {
      pendingCandidates.push(payload.candidate);
    }
  }

  // ---- session lifecycle ---------------------------------------------------------------------
  function endRoomLocally() {
    room = null;
    resetOwnTyping();
    showPartnerTyping(false);
    closePeer();
    renderChips([]);
  }

  function startSearching() {
    const type = mode;
    const payload = { type, preferences: preferences() };
    const go = () => {
      clearMessages();
      setState('waiting', 'Waiting for a stranger…');
      socket.emit('join', payload);
    };
    if (type === 'video') {
      setState('waiting', 'Starting camera…');
      getLocalMedia()
        .then(go)
        .catch((err) => {
          setState('idle', 'Camera or microphone unavailable.');
          toast('Camera/microphone: ' + (err && err.message ? err.message : err), 'error');
        });
    } else {
      go();
    }
  }

  els.typeChat.addEventListener('click', () => setMode('chat'));
  els.typeVideo.addEventListener('click', () => setMode('video'));

  els.start.addEventListener('click', () => {
    if (state === 'waiting' || state === 'connected' || state === 'reconnecting') return;
    endRoomLocally();
    startSearching();
  });

  els.next.addEventListener('click', () => {
    if (state === 'connected' || state === 'reconnecting') {
      endRoomLocally();
      clearMessages();
      setState('waiting', 'Waiting for a stranger…');
      socket.emit('next');
    } else if (state === 'partner_left') {
      endRoomLocally();
      startSearching();
    }
  });

  els.stop.addEventListener('click', () => {
    if ((state === 'connected' || state === 'reconnecting') && room) {
      socket.emit('leave_room', { roomId: room.roomId });
      addSystemMessage('You left the conversation.');
    } else if (state === 'waiting') {
      socket.emit('leave_queue');
    }
    endRoomLocally();
    stopLocalMedia();
    setState('idle', 'Stopped. Press Start to meet someone new.');
  });

  els.report.addEventListener('click', () => {
    if (!room) return;
    socket.emit('report', { roomId: room.roomId, reason: 'other' });
    endRoomLocally();
    addSystemMessage('You reported this stranger. You will not be matched with them again.');
    setState('partner_left', 'Reported. Press Next to meet someone new.');
  });

  // ---- server events -------------------------------------------------------------------------
  let resumeState = null; // what we were doing when the connection dropped
  let shutdownHintMs = null; // from server_shutdown: when to reconnect

  socket.on('connect', () => {
    shutdownHintMs = null;
  });

  socket.on('session', (info) => {
    const first = userId === null;
    userId = info.userId;
    if (first) return;
    const was = resumeState;
    resumeState = null;
    if (info.recovered && was && was !== 'offline') {
      // Connection state recovery kept our room / queue place on the server.
      if (room && (was === 'connected' || was === 'reconnecting')) setState('connected', 'Reconnected. Still with the stranger.');
      else if (was === 'waiting') setState('waiting', 'Reconnected. Waiting for a stranger…');
      else setState(was, els.status.textContent);
      return;
    }
    const lost = was === 'waiting' || was === 'connected' || was === 'reconnecting';
    endRoomLocally();
    if (lost) addSystemMessage('Connection was reset; the conversation ended.');
    setState('idle', lost ? 'Reconnected. Press Start to meet someone new.' : 'Connected to server. Press Start.');
  });

  socket.on('disconnect', (reason) => {
    if (state !== 'offline') {
      resumeState = state;
      setState('offline', 'Connection lost. Reconnecting…');
    }
    if (reason === 'io server disconnect') {
      // The server closed us on purpose: Socket.io will not retry by itself. Use the shutdown hint
      // (with jitter) so a restarting node is not hit by every client at once.
      const base = shutdownHintMs != null ? shutdownHintMs : 2000;
      setTimeout(() => socket.connect(), base + Math.random() * Math.max(1000, base));
    }
  });

  socket.on('connect_error', () => {
    if (state !== 'offline') {
      resumeState = resumeState || state;
      setState('offline', 'Cannot reach the server. Retrying…');
    }
  });

  socket.on('waiting_for_partner', () => {
    setState('waiting', 'Waiting for a stranger…');
  });

  socket.on('partner_found', (payload) => {
    endRoomLocally();
    resetOwnTyping();
    room = {
      roomId: payload.roomId,
      partnerId: payload.partnerId,
      type: payload.type || mode,
      initiator: payload.initiator === true,
      iceServers: payload.iceServers,
    };
    clearMessages();
    const common = payload.commonInterests || [];
    renderChips(common);
    setState('connected', 'Connected to a stranger. Say hi!');
    addSystemMessage(common.length ? 'You both like: ' + common.join(', ') + '.' : "You're now chatting with a random stranger.");
    if (room.type === 'video') {
      const current = room;
      signal(() => setupPeer(current));
    }
    els.input.focus();
  });

  socket.on('partner_disconnected', (payload) => {
    if (!room) return; // we already left this room ourselves (Next / Stop / Report)
    const reason = payload && payload.reason;
    endRoomLocally();
    const why =
      reason === 'disconnected' || reason === 'timeout'
        ? 'Stranger left (connection lost).'
        : reason === 'shutdown'
          ? 'Stranger left (server restarting).'
          : 'Stranger left.';
    addSystemMessage(why);
    setState('partner_left', why + ' Press Next to meet someone new.');
  });

  socket.on('partner_reconnecting', (payload) => {
    if (!room) return;
    const secs = Math.round(((payload && payload.graceMs) || 0) / 1000);
    setState('reconnecting', 'Stranger lost connection, waiting' + (secs ? ' up to ' + secs + ' s' : '') + '…');
  });

  socket.on('partner_reconnected', () => {
    if (!room) return;
    setState('connected', 'Connected. Stranger is back.');
  });

  socket.on('new_message', (msg) => {
    if (!room) return;
    addChatMessage(msg);
    if (msg.sender !== userId) showPartnerTyping(false);
  });

  socket.on('user_typing', (payload) => {
    if (!room) return;
    showPartnerTyping(!!(payload && payload.isTyping));
  });

  socket.on('offer', onOffer);
  socket.on('answer', onAnswer);
  socket.on('ice_candidate', onIceCandidate);

  socket.on('user_count_update', (payload) => {
    const n = payload && typeof payload.count === 'number' ? payload.count : 0;
    els.online.textContent = n.toLocaleString() + ' online';
  });

  socket.on('error', (err) => {
    const text = (err && err.message) || 'Something went wrong.';
    const retry = err && err.retryAfterMs ? ' (retry in ' + Math.ceil(err.retryAfterMs / 1000) + ' s)' : '';
    toast(text + retry, 'error');
  });

  socket.on('server_shutdown', (payload) => {
    const ms = (payload && payload.reconnectAfterMs) || 0;
    shutdownHintMs = ms;
    endRoomLocally();
    resumeState = null;
    setState('offline', 'Server is restarting. Reconnecting soon…');
    toast('Server restarting; reconnecting in about ' + Math.max(1, Math.round(ms / 1000)) + ' s.', 'info');
  });

  setMode('chat');
  setState('idle');
})();
