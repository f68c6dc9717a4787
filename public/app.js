/* Random Chat demo client. Plain browser JS; speaks only the documented protocol (src/contract/events.ts). */
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const els = {
    body: document.body,
    typeChat: $('type-chat'),
    typeVideo: $('type-video'),
    interests: $('interests'),
    interestsError: $('interests-error'),
    language: $('language'),
    ageField: $('age-field'),
    ageTeenOption: $('age-teen-option'),
    ageError: $('age-error'),
    termsAge: $('terms-age'),
    banner: $('banner'),
    bannerText: $('banner-text'),
    status: $('status'),
    chips: $('common-interests'),
    messages: $('messages'),
    typing: $('typing-indicator'),
    composer: $('composer'),
    input: $('message-input'),
    send: $('send'),
    localVideo: $('local-video'),
    remoteVideo: $('remote-video'),
    toggleMic: $('toggle-mic'),
    toggleCamera: $('toggle-camera'),
    online: $('online-count-text'),
    start: $('start'),
    next: $('next'),
    stop: $('stop'),
    report: $('report'),
    block: $('block'),
    escHint: $('esc-hint'),
    reportDialog: $('report-dialog'),
    reportForm: $('report-form'),
    reportReasons: $('report-reasons'),
    reportError: $('report-error'),
    reportCancel: $('report-cancel'),
    toasts: $('toasts'),
  };

  const TYPING_IDLE_MS = 1500;
  const ESC_CONFIRM_MS = 3000;
  const BASE_TITLE = document.title;
  const REASON_LABELS = {
    spam: 'Spam or advertising',
    harassment: 'Harassment or bullying',
    nudity: 'Nudity or sexual content',
    underage: 'Seems to be under age',
    hate: 'Hate speech',
    other: 'Something else',
  };

  // ---- state ---------------------------------------------------------------------------------
  /** 'idle' | 'camera' | 'joining' | 'waiting' | 'connected' | 'skipping' | 'reconnecting' | 'partner_left' | 'offline' */
  let state = 'idle';
  let mode = 'chat';
  let userId = null;
  let clientConfig = { ageGate: 'off', botCheck: 'off', iceRelayOnly: false, reportReasons: ['other'] };
  let room = null; // { roomId, partnerId, type, initiator, iceServers, iceTransportPolicy }
  /** The join / next the server has not answered yet, and the state to go back to if it refuses. */
  let pending = null;
  let cameraRequest = 0; // bumped by Stop, so a camera that starts afterwards is dropped
  /** Stop was pressed before the server answered a join / next: a room it opens anyway is left at once. */
  let withdrawing = false;
  let ageLocked = false;
  /** The first age group this connection sent: the server holds it to that one for the connection. */
  let declaredAgeGroup = null;
  let pc = null;
  let pendingCandidates = [];
  let localStream = null;
  let localStreamPromise = null;
  let signalChain = Promise.resolve(); // serialises WebRTC steps so offer/answer/candidates apply in order
  let typingSent = false;
  let typingTimer = null;
  let partnerTypingTimer = null;
  let escArmedUntil = 0;
  let escTimer = null;
  let unseen = 0;
  const cooldowns = { next: 0, ban: 0 }; // epoch ms until which Next / joining is refused
  let cooldownTimer = null;
  let socket = null;

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
    get clientConfig() {
      return clientConfig;
    },
  };

  // ---- UI helpers ----------------------------------------------------------------------------
  const IN_ROOM = ['connected', 'reconnecting', 'skipping'];
  const BUSY = ['camera', 'joining', 'waiting', ...IN_ROOM];

  function setState(next, statusText) {
    state = next;
    els.body.dataset.state = next;
    if (statusText !== undefined) els.status.textContent = statusText;
    const inRoom = next === 'connected' || next === 'reconnecting';
    const busy = BUSY.includes(next);
    els.input.disabled = !inRoom;
    els.send.disabled = !inRoom;
    els.report.disabled = !inRoom;
    els.block.disabled = !inRoom;
    els.stop.disabled = !(busy || next === 'partner_left');
    // The mode cannot change under a call, nor while the connection is being restored.
    const locked = busy || next === 'offline';
    els.typeChat.disabled = locked;
    els.typeVideo.disabled = locked;
    els.interests.disabled = locked;
    els.language.disabled = locked;
    setAgeInputsDisabled(locked || ageLocked);
    if (!inRoom) showPartnerTyping(false);
    if (next !== 'connected' && next !== 'reconnecting' && next !== 'partner_left') disarmEsc();
    refreshCooldownButtons();
  }

  /** Start and Next also depend on the server's refusals (ban, rate limit), counted down here. */
  function refreshCooldownButtons() {
    const now = Date.now();
    const banLeft = cooldowns.ban - now;
    const nextLeft = Math.max(cooldowns.next - now, banLeft);
    const canNext = state === 'connected' || state === 'reconnecting' || state === 'partner_left';
    els.next.disabled = !canNext || nextLeft > 0;
    els.next.textContent = nextLeft > 0 && canNext ? 'Next (' + formatDuration(nextLeft) + ')' : 'Next';
    const canStart = !BUSY.includes(state) && state !== 'offline';
    els.start.disabled = !canStart || nextLeft > 0;
    els.start.textContent = nextLeft > 0 && canStart ? 'Start (' + formatDuration(nextLeft) + ')' : 'Start';
    if (banLeft > 0) els.bannerText.textContent = banText(banLeft);
    else if (els.banner.dataset.kind === 'ban') hideBanner();
    if (banLeft <= 0 && cooldowns.next - now <= 0) {
      clearInterval(cooldownTimer);
      cooldownTimer = null;
    }
  }

  function startCooldown(kind, ms) {
    cooldowns[kind] = Date.now() + ms;
    if (!cooldownTimer) cooldownTimer = setInterval(refreshCooldownButtons, 1000);
    refreshCooldownButtons();
  }

  function formatDuration(ms) {
    const total = Math.ceil(ms / 1000);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    if (h) return h + ' h ' + m + ' min';
    if (m) return m + ' min ' + s + ' s';
    return s + ' s';
  }

  function banText(ms) {
    return 'You have been banned from chatting. You can chat again in ' + formatDuration(ms) + '.';
  }

  function showBanner(kind, text) {
    els.banner.dataset.kind = kind;
    els.bannerText.textContent = text;
    els.banner.hidden = false;
    announce(text);
  }

  function hideBanner() {
    els.banner.hidden = true;
    delete els.banner.dataset.kind;
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
    el.textContent = text;
    els.toasts.appendChild(el);
    setTimeout(() => el.classList.add('toast-out'), 3600);
    setTimeout(() => el.remove(), 4000);
  }

  /** Said once by screen readers, without moving focus. */
  function announce(text) {
    const announcer = $('announcer');
    announcer.textContent = '';
    setTimeout(() => (announcer.textContent = text), 50);
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

  function addChatMessage(msg, mine) {
    const li = document.createElement('li');
    li.className = 'message ' + (mine ? 'mine' : 'theirs');
    li.dataset.id = msg.id;
    // The log is a live region: each new message is read as "You: …" or "Stranger: …".
    const who = document.createElement('span');
    who.className = 'visually-hidden';
    who.textContent = mine ? 'You: ' : 'Stranger: ';
    const text = document.createElement('span');
    text.className = 'message-text';
    text.textContent = msg.text;
    const time = document.createElement('time');
    time.className = 'message-time';
    const date = new Date(typeof msg.timestamp === 'number' ? msg.timestamp : Date.now());
    time.dateTime = date.toISOString();
    time.textContent = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    li.append(who, text, time);
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

  /** A tab in the background tells of a new stranger or message in its title. */
  function notifyInTitle(what) {
    if (!document.hidden) return;
    unseen += 1;
    document.title = '(' + unseen + ') ' + what + ' – ' + BASE_TITLE;
  }

  document.addEventListener('visibilitychange', () => {
    if (document.hidden) return;
    unseen = 0;
    document.title = BASE_TITLE;
  });

  // ---- settings and their errors -------------------------------------------------------------
  function preferences() {
    const interests = els.interests.value
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean)
      .filter((s, i, all) => all.indexOf(s) === i);
    const prefs = {};
    if (interests.length) prefs.interests = interests;
    if (els.language.value) prefs.language = els.language.value;
    return prefs;
  }

  function markField(input, errorEl, text) {
    input.setAttribute('aria-invalid', 'true');
    errorEl.textContent = text;
    errorEl.hidden = false;
  }

  function clearFieldErrors() {
    [els.interests, els.ageField].forEach((el) => el.removeAttribute('aria-invalid'));
    [els.interestsError, els.ageError].forEach((el) => (el.hidden = true));
  }

  function chosenAgeGroup() {
    const checked = document.querySelector('input[name="age-group"]:checked');
    return checked ? checked.value : undefined;
  }

  function ageGroupText(group) {
    return group === 'teen' ? '13 to 17' : '18 or older';
  }

  function setAgeInputsDisabled(disabled) {
    document.querySelectorAll('input[name="age-group"]').forEach((input) => (input.disabled = disabled));
  }

  function applyClientConfig() {
    const gate = clientConfig.ageGate;
    els.ageField.hidden = gate === 'off';
    els.ageTeenOption.hidden = gate !== 'split';
    els.termsAge.textContent = gate === 'split' ? '13+ only; teens meet only teens.' : '18+ only.';
    els.reportReasons.textContent = '';
    (clientConfig.reportReasons || ['other']).forEach((reason) => {
      const label = document.createElement('label');
      label.className = 'radio';
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = 'report-reason';
      input.value = reason;
      label.append(input, ' ' + (REASON_LABELS[reason] || reason));
      els.reportReasons.appendChild(label);
    });
  }

  /** The join payload, or null when the page itself must ask for something first. */
  function joinPayload() {
    const payload = { type: mode, preferences: preferences() };
    if (clientConfig.ageGate !== 'off') {
      const group = chosenAgeGroup();
      if (!group) {
        markField(els.ageField, els.ageError, 'Choose your age group to start.');
        return null;
      }
      payload.ageGroup = group;
      if (!declaredAgeGroup) declaredAgeGroup = group;
    }
    return payload;
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
    // Not rendered locally: the server echoes new_message to both users, ours marked `self`.
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
          applyMediaToggles();
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

  function applyMediaToggles() {
    if (!localStream) return;
    const micOff = els.toggleMic.getAttribute('aria-pressed') === 'true';
    const camOff = els.toggleCamera.getAttribute('aria-pressed') === 'true';
    localStream.getAudioTracks().forEach((track) => (track.enabled = !micOff));
    localStream.getVideoTracks().forEach((track) => (track.enabled = !camOff));
  }

  function toggleButton(button) {
    const pressed = button.getAttribute('aria-pressed') !== 'true';
    button.setAttribute('aria-pressed', String(pressed));
    applyMediaToggles();
  }

  els.toggleMic.addEventListener('click', () => toggleButton(els.toggleMic));
  els.toggleCamera.addEventListener('click', () => toggleButton(els.toggleCamera));

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
    const peer = new RTCPeerConnection({ iceServers: current.iceServers || [], iceTransportPolicy: current.iceTransportPolicy });
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

  /** join (from idle or after the stranger left): the page waits for the server's answer. */
  function startSearching() {
    withdrawing = false;
    clearFieldErrors();
    const payload = joinPayload();
    if (!payload) return;
    const from = state;
    const go = () => {
      pending = { event: 'join', from };
      setState('joining', 'Looking for a stranger…');
      socket.emit('join', payload);
    };
    if (payload.type !== 'video') return go();
    const request = ++cameraRequest;
    setState('camera', 'Starting camera…');
    getLocalMedia()
      .then(() => {
        if (request === cameraRequest && state === 'camera') return go();
        if (state === 'idle') stopLocalMedia(); // Stop came first: the camera must not stay on
      })
      .catch((err) => {
        if (request !== cameraRequest) return;
        setState(from, 'Camera or microphone unavailable.');
        toast('Camera/microphone: ' + (err && err.message ? err.message : err), 'error');
      });
  }

  /** Skip: the room stays on the page until the server confirms it has queued us again. */
  function skip() {
    if (state === 'connected' || state === 'reconnecting') {
      pending = { event: 'next', from: state };
      setState('skipping', 'Skipping…');
      socket.emit('next');
    } else if (state === 'partner_left') {
      startSearching();
    }
  }

  function stop() {
    cameraRequest += 1;
    if (IN_ROOM.includes(state) && room) {
      socket.emit('leave_room', { roomId: room.roomId });
      addSystemMessage('You left the conversation.');
    }
    // A join or skip still on its way may queue us after this: leave the queue behind it too.
    if (state === 'waiting' || state === 'joining' || state === 'skipping') socket.emit('leave_queue');
    withdrawing = state === 'joining' || state === 'skipping';
    pending = null;
    endRoomLocally();
    stopLocalMedia();
    setState('idle', 'Stopped. Press Start to meet someone new.');
  }

  /** Report and Block end the room at once: the server refuses them only for a room already gone. */
  function leaveAs(event, payload, note) {
    if (!room) return;
    socket.emit(event, payload);
    endRoomLocally();
    addSystemMessage(note);
    setState('partner_left', note + ' Press Next to meet someone new.');
    els.next.focus();
  }

  els.typeChat.addEventListener('click', () => setMode('chat'));
  els.typeVideo.addEventListener('click', () => setMode('video'));

  els.start.addEventListener('click', () => {
    if (state !== 'idle' && state !== 'partner_left') return;
    endRoomLocally();
    startSearching();
  });
  els.next.addEventListener('click', skip);
  els.stop.addEventListener('click', stop);

  els.block.addEventListener('click', () => {
    if (room) leaveAs('block', { roomId: room.roomId }, 'You blocked this stranger. You will not meet them again.');
  });

  els.report.addEventListener('click', () => {
    if (!room) return;
    els.reportForm.reset();
    els.reportError.hidden = true;
    els.reportDialog.showModal();
  });
  els.reportCancel.addEventListener('click', () => els.reportDialog.close());
  els.reportForm.addEventListener('submit', (event) => {
    const checked = els.reportForm.querySelector('input[name="report-reason"]:checked');
    if (!checked) {
      event.preventDefault();
      els.reportError.hidden = false;
      return;
    }
    if (room) leaveAs('report', { roomId: room.roomId, reason: checked.value }, 'Thanks, you reported this stranger.');
  });

  // Esc twice skips, as Omegle did: the first press only arms it, so a stray Esc ends nothing.
  function disarmEsc() {
    escArmedUntil = 0;
    clearTimeout(escTimer);
    els.escHint.textContent = '';
  }

  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || els.reportDialog.open || els.next.disabled) return;
    event.preventDefault();
    if (Date.now() < escArmedUntil) {
      disarmEsc();
      skip();
      return;
    }
    escArmedUntil = Date.now() + ESC_CONFIRM_MS;
    els.escHint.textContent = 'Press Esc again to skip';
    clearTimeout(escTimer);
    escTimer = setTimeout(disarmEsc, ESC_CONFIRM_MS);
  });

  // ---- refusals ------------------------------------------------------------------------------
  /** Undoes what the page assumed when it sent `pending`, and says why in plain words. */
  function refused(err) {
    const request = pending;
    pending = null;
    const back = room ? 'connected' : request.from === 'partner_left' ? 'partner_left' : 'idle';
    const restore = (text) => setState(back, text);
    const retry = err.retryAfterMs || 0;
    switch (err.code) {
      case 'BANNED':
        startCooldown('ban', retry);
        showBanner('ban', banText(retry));
        return restore(room ? 'You cannot skip while banned.' : 'You are banned for now.');
      case 'RATE_LIMITED':
        startCooldown('next', retry);
        return restore('Slow down: you can look for someone new in ' + formatDuration(retry) + '.');
      case 'INVALID_PAYLOAD':
        if (/^preferences\.interests/.test(err.message)) {
          markField(els.interests, els.interestsError, 'Use at most 10 interests, each up to 32 characters.');
          restore('Check your interests, then press Start.');
          return els.interests.focus();
        }
        if (/^preferences\.language/.test(err.message)) return restore('Choose a language from the list.');
        return restore('The server did not accept that request.');
      case 'AGE_CONFIRMATION_REQUIRED':
        if (clientConfig.ageGate === 'adult-only' && declaredAgeGroup && declaredAgeGroup !== 'adult') {
          markField(els.ageField, els.ageError, 'This chat is for adults only.');
          return restore('Sorry, this chat is for adults (18+) only.');
        }
        markField(els.ageField, els.ageError, 'Choose your age group to start.');
        return restore('Tell us your age group, then press Start.');
      case 'AGE_GROUP_LOCKED': {
        ageLocked = true;
        const locked = document.querySelector('input[name="age-group"][value="' + declaredAgeGroup + '"]');
        if (locked) locked.checked = true;
        markField(
          els.ageField,
          els.ageError,
          'You already said you are ' + ageGroupText(declaredAgeGroup) + '. Reload the page to change it.',
        );
        return restore('Your age group is fixed for this visit: press Start to go on.');
      }
      case 'ALREADY_QUEUED':
        return setState('waiting', 'Waiting for a stranger…');
      case 'SHUTTING_DOWN':
        return restore('The server is restarting. Try again in a moment.');
      default:
        return restore('Could not start: ' + (err.message || 'something went wrong') + '.');
    }
  }

  // ---- connection and bot check --------------------------------------------------------------
  async function loadClientConfig() {
    try {
      const response = await fetch('/client-config', { cache: 'no-cache' });
      if (response.ok) clientConfig = Object.assign(clientConfig, await response.json());
    } catch (error) {
      console.warn('[config] using defaults', error);
    }
    applyClientConfig();
  }

  async function solveBotCheck() {
    setState('offline', 'Checking that you are not a bot…');
    const botProof = await window.RandomChatBotCheck.botProof();
    return { botProof };
  }

  async function connect() {
    await loadClientConfig();
    let auth = {};
    if (clientConfig.botCheck === 'pow') {
      try {
        auth = await solveBotCheck();
      } catch (error) {
        console.error('[bot-check]', error);
        setState('offline', 'The bot check could not run: ' + error.message);
        return;
      }
    } else if (clientConfig.botCheck !== 'off') {
      console.warn('[bot-check] unsupported provider', clientConfig.botCheck);
    }
    socket = io({ transports: ['websocket', 'polling'], auth });
    // Closing the tab is a deliberate leave: say so, so the partner is told at once instead of
    // waiting out the reconnect grace kept for dropped networks.
    window.addEventListener('pagehide', () => socket.disconnect());
    attachServerEvents();
  }

  // ---- server events -------------------------------------------------------------------------
  function attachServerEvents() {
    let resumeState = null; // what we were doing when the connection dropped
    let shutdownHintMs = null; // from server_shutdown: when to reconnect
    let kicked = false; // a moderator's disconnect is not undone by reconnecting on our own

    socket.on('connect', () => {
      shutdownHintMs = null;
    });

    socket.on('session', (info) => {
      const first = userId === null;
      userId = info.userId;
      // A pass lets reconnects skip the bot check while it lasts.
      if (info.botPass) socket.auth = { botPass: info.botPass };
      if (first) return setState('idle', 'Choose text or video, then press Start.');
      const was = resumeState;
      resumeState = null;
      if (info.recovered && was && was !== 'offline') {
        // Connection state recovery kept our room / queue place on the server.
        if (room && IN_ROOM.includes(was)) setState('connected', 'Reconnected. Still with the stranger.');
        else if (was === 'waiting' || was === 'joining') setState('waiting', 'Reconnected. Waiting for a stranger…');
        else setState(was, els.status.textContent);
        return;
      }
      const lost = BUSY.includes(was);
      pending = null;
      ageLocked = false;
      declaredAgeGroup = null;
      endRoomLocally();
      if (lost) addSystemMessage('Connection was reset; the conversation ended.');
      setState('idle', lost ? 'Reconnected. Press Start to meet someone new.' : 'Connected to server. Press Start.');
    });

    socket.on('disconnect', (reason) => {
      if (state !== 'offline') {
        resumeState = state;
        setState('offline', 'Connection lost. Reconnecting…');
      }
      if (kicked) return setState('offline', 'Disconnected by a moderator.');
      if (reason === 'io server disconnect') {
        // The server closed us on purpose: Socket.io will not retry by itself. Use the shutdown hint
        // (with jitter) so a restarting node is not hit by every client at once.
        const base = shutdownHintMs != null ? shutdownHintMs : 2000;
        setTimeout(() => socket.connect(), base + Math.random() * Math.max(1000, base));
      }
    });

    socket.on('connect_error', (error) => {
      const code = error && error.data && error.data.code;
      if (code === 'BOT_CHECK_REQUIRED' || code === 'BOT_CHECK_FAILED') {
        // A refused handshake is not retried by Socket.io: solve a fresh challenge and try again.
        solveBotCheck()
          .then((auth) => {
            socket.auth = auth;
            socket.connect();
          })
          .catch((failure) => {
            console.error('[bot-check]', failure);
            setState('offline', 'The bot check failed. Reload the page to try again.');
          });
        return;
      }
      if (state !== 'offline') {
        resumeState = resumeState || state;
        setState('offline', 'Cannot reach the server. Retrying…');
      }
    });

    socket.on('waiting_for_partner', () => {
      if (withdrawing) return; // our leave_queue is already behind it
      pending = null;
      if (room) endRoomLocally(); // a skip the server has now made
      clearMessages();
      setState('waiting', 'Waiting for a stranger…');
    });

    socket.on('partner_found', (payload) => {
      if (withdrawing) {
        withdrawing = false;
        return socket.emit('leave_room', { roomId: payload.roomId });
      }
      pending = null;
      endRoomLocally();
      resetOwnTyping();
      room = {
        roomId: payload.roomId,
        partnerId: payload.partnerId,
        type: payload.type || mode,
        initiator: payload.initiator === true,
        iceServers: payload.iceServers,
        iceTransportPolicy: payload.iceTransportPolicy || (clientConfig.iceRelayOnly ? 'relay' : 'all'),
      };
      clearMessages();
      const common = payload.commonInterests || [];
      renderChips(common);
      setState('connected', 'Connected to a stranger. Say hi!');
      addSystemMessage(
        common.length ? 'You both like: ' + common.join(', ') + '.' : "You're now chatting with a random stranger.",
      );
      notifyInTitle('New stranger');
      if (room.type === 'video') {
        const current = room;
        signal(() => setupPeer(current));
      }
      els.input.focus();
    });

    socket.on('partner_disconnected', (payload) => {
      if (!room) return; // we already left this room ourselves (Stop / Report / Block)
      const reason = payload && payload.reason;
      endRoomLocally();
      const why =
        reason === 'disconnected'
          ? 'Stranger left (connection lost).'
          : reason === 'shutdown'
            ? 'Stranger left (server restarting).'
            : 'Stranger left.';
      addSystemMessage(why);
      if (pending) return els.status.replaceChildren(why + ' Looking for someone new…');
      setState('partner_left', why + ' Press Next to meet someone new.');
      notifyInTitle('Stranger left');
      els.next.focus();
    });

    socket.on('partner_reconnecting', (payload) => {
      if (!room || pending) return;
      const secs = Math.round(((payload && payload.graceMs) || 0) / 1000);
      setState('reconnecting', 'Stranger lost connection, waiting' + (secs ? ' up to ' + secs + ' s' : '') + '…');
    });

    socket.on('partner_reconnected', () => {
      if (!room || pending) return;
      setState('connected', 'Connected. Stranger is back.');
    });

    socket.on('new_message', (msg) => {
      if (!room) return;
      const mine = msg.self === true || msg.sender === userId;
      addChatMessage(msg, mine);
      if (!mine) {
        showPartnerTyping(false);
        notifyInTitle('New message');
      }
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
      if (!err) return;
      if (pending && err.event === pending.event) return refused(err);
      if (err.event === 'join' || err.event === 'next' || err.event === 'leave_queue') return; // a request we withdrew
      if (err.code === 'KICKED') {
        kicked = true;
        pending = null;
        endRoomLocally();
        return showBanner('kick', 'A moderator disconnected you. Reload the page to come back.');
      }
      if (err.code === 'MESSAGE_REJECTED') return addSystemMessage('Your message was not sent: it was blocked by the server.');
      if (err.code === 'RATE_LIMITED') return toast('Slow down: too many messages. Try again shortly.', 'error');
      if (err.code === 'NOT_IN_ROOM') return; // the room ended while the event was on its way
      toast(err.message || 'Something went wrong.', 'error');
    });

    socket.on('server_shutdown', (payload) => {
      const ms = (payload && payload.reconnectAfterMs) || 0;
      shutdownHintMs = ms;
      pending = null;
      endRoomLocally();
      resumeState = null;
      setState('offline', 'Server is restarting. Reconnecting soon…');
      toast('Server restarting; reconnecting in about ' + Math.max(1, Math.round(ms / 1000)) + ' s.', 'info');
    });
  }

  setMode('chat');
  setState('offline', 'Connecting…');
  connect();
})();
