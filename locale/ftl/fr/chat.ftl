## Discussion en direct : la console des conseillers, le tableau de supervision,
## l’historique et les transcriptions des conversations, et les messages d’erreur des sockets.

## Communs aux pages et aux scripts de discussion.
chat-visitor = Visiteur
chat-visitor-number = Visiteur n° { $number }
chat-visitor-erased = Visiteur effacé
chat-agent = Conseiller
chat-site = Site
chat-switchboard = Switchboard
chat-message-erased = Message effacé
chat-state-waiting = en attente
chat-state-assigned = attribuée
chat-state-closed = terminée
chat-state-offline = hors ligne
chat-note = Note de { $name }
chat-status-online = en ligne
chat-status-away = absent
chat-status-offline = hors ligne
chat-priority-high = haute
chat-priority-normal = normale
chat-priority-low = basse
chat-connecting = Connexion…
chat-connected = Connecté
chat-reconnecting = Reconnexion…
chat-role-removed = Votre rôle ne vous permet plus d’accéder à cette page.
chat-dismiss = Cliquez pour fermer
chat-something-wrong = Une erreur s’est produite.

## La console des conseillers.
console-title = Console
console-my-status = Mon statut
console-status = Statut
console-online = En ligne
console-away = Absent
console-offline = Hors ligne
console-max-chats = Discussions max. :
console-waiting = En attente :
console-conversations = Conversations
console-no-conversation = Aucune conversation ouverte.
console-unread = Non lus : { $count }
console-transfer-button = Transférer…
console-close = Terminer
console-transfer-to = Transférer à
console-transfer = Transférer
console-transfer-looking = Recherche des conseillers disponibles…
console-transfer-none = Aucun autre conseiller de ce site n’est en ligne avec une place libre.
console-cancel = Annuler
console-agent-option = { $name } ({ $load }/{ $max_chats })
console-visitor-typing = Le visiteur est en train d’écrire…
console-typing = { $name } est en train d’écrire…
console-answer = Votre réponse
console-answer-placeholder = Votre réponse (Entrée pour envoyer, Maj+Entrée pour aller à la ligne)
console-send = Envoyer
console-note-mode = Note interne : seuls vos collègues la voient, jamais le visiteur
console-note-placeholder = Une note pour vos collègues (le visiteur ne la voit pas)
console-add-note = Ajouter la note
console-allow-notifications = Activer les notifications sur le bureau
console-on = Sur
console-unknown-page = une page inconnue
console-select = Choisissez une conversation. Les nouvelles discussions apparaissent ici dès qu’elles vous sont attribuées.
console-sending = Envoi…
console-delivered = Remis
console-gone-some = Certaines conversations ne vous sont plus attribuées.
console-gone-some-dropped = Certaines conversations ne vous sont plus attribuées ; { $dropped } message(s) non envoyé(s) ont été abandonnés.
console-gone = { $count } conversation(s) ne vous sont plus attribuées.
console-gone-dropped = { $count } conversation(s) ne vous sont plus attribuées ; { $dropped } message(s) non envoyé(s) ont été abandonnés.
console-new-conversation = Nouvelle conversation : { $visitor } sur { $site }.
console-a-site = un site
console-closed-by-you = Vous avez terminé la conversation avec { $visitor } ({ $site }).
console-closed-by-visitor = { $visitor } ({ $site }) a mis fin à la conversation.
console-closed = La conversation avec { $visitor } ({ $site }) a été terminée.
console-transferred = La conversation avec { $visitor } ({ $site }) a été transférée.
console-reassigned = Un superviseur a réattribué la conversation avec { $visitor } ({ $site }).
console-requeued = La conversation avec { $visitor } ({ $site }) est retournée dans la file d’attente.
console-status-not-changed = Non connecté : votre statut n’a pas été modifié.
console-too-long = Ce message est trop long ({ $count } caractères) : { $max } au maximum.
console-not-closed = Non connecté : la conversation n’a pas été terminée.
console-try-again = Non connecté : réessayez dans un instant.
console-not-transferred = Non connecté : la conversation n’a pas été transférée.

## Le tableau de supervision.
board-title = Supervision
board-status = Statut
board-load = Charge
board-sites = Sites
board-waiting = En attente
board-longest-wait = Attente la plus longue
board-started = Début
board-state = État
board-stop-reading = Arrêter la lecture
board-reading = Lecture :
board-agents = Conseillers
board-queues = Files d’attente
board-open-conversations = Conversations ouvertes
board-no-agent = Aucun conseiller.
board-nobody-waiting = Personne n’attend.
board-no-conversation = Aucune conversation ouverte.
board-read = Lire
board-reassign-to = Réattribuer à
board-reassign = Réattribuer
board-ended = (terminée)
board-nobody-online = Aucun conseiller n’est en ligne pour prendre cette conversation.
board-not-reassigned = Non connecté : la conversation n’a pas été réattribuée.
board-seconds = { $count } s
board-minutes = { $count } min
board-hours = { $hours } h { $minutes } min

## L’historique des conversations.
history-title = Conversations
history-search-placeholder = Nom, adresse e-mail ou mots du visiteur
history-any-agent = Tous les conseillers
history-any-site = Tous les sites
history-from = Du
history-until = au
history-search = Rechercher
history-started = Début ({ $zone })
history-state = État
history-first-message = Premier message
history-none = Aucune conversation ne correspond.
history-previous = ← Précédentes
history-next = Suivantes →
history-count = { $count ->
    [one] { $count } conversation
   *[other] { $count } conversations
}
history-not-an-id = « { $field } » n’est pas un identifiant
history-not-a-date = « { $field } » doit être une date comme 2026-11-25

## La transcription d’une conversation.
transcript-title = Conversation
transcript-back = ← Conversations
transcript-started = Commencée le { $date }
transcript-on = sur { $url }
transcript-erased = Les données personnelles de ce visiteur ont été effacées : ses messages, et les réponses qui lui ont été faites, ne peuvent plus être lus.
transcript-erase = Effacer les données de ce visiteur…
transcript-why = Pourquoi ce conseiller
transcript-former-user = un ancien utilisateur
transcript-routed = Choisi par le routeur parmi les conseillers en ligne ayant une place libre, selon le poids de leur priorité puis la charge la plus faible (tirage aléatoire { $roll }) :
transcript-priority = Priorité
transcript-weight = Poids
transcript-load = Charge
transcript-transferred = Transférée par { $name }, le conseiller précédent.
transcript-reassigned = Réattribuée par { $name } (superviseur).
transcript-reassigned-from = Réattribuée par { $name } (superviseur), depuis { $from }.
transcript-by-email = envoyé par e-mail
transcript-answer-title = Répondre par e-mail
transcript-answer-label = Votre réponse, envoyée à { $email }
transcript-answer-help = Le visiteur la reçoit depuis l’adresse de Switchboard, dans la langue du site, avec votre adresse pour vous répondre ; elle est conservée dans cette conversation.
transcript-answer-send = Envoyer la réponse
transcript-answer-sent = La réponse part vers le visiteur.
transcript-note-title = Note interne
transcript-note-added = La note est ajoutée ; seuls vos collègues la voient.

## Les messages d’erreur des sockets de discussion (leurs codes ne changent pas).
chat-error-not-assigned = Cette conversation ne vous est pas attribuée.
chat-error-rate-limited = Trop de messages : ralentissez.
chat-error-no-conversation = Cette conversation n’existe pas.
chat-error-unavailable = La base de données ne répond pas.
chat-error-unreadable-frame = cette trame est illisible : { $reason }
chat-error-not-a-frame = une trame est un objet JSON avec un champ `type`
chat-error-hello-first = la première trame doit être hello
chat-error-hello-once = hello n’est envoyé qu’une fois, au début
chat-error-unknown-status = statut « { $status } » inconnu (attendu : online, away ou offline)

## Le visiteur à côté d’une conversation (console et transcription)
visitor-about = À propos du visiteur
visitor-number-short = n° { $number }
visitor-facts-number = Numéro de visiteur
visitor-facts-name = Nom
visitor-facts-email = Adresse e-mail
visitor-facts-page = Page actuelle
visitor-facts-referrer = Arrivé depuis
visitor-facts-browser = Navigateur
visitor-browser-on = { $browser } sous { $system }
visitor-facts-language = Langue
visitor-facts-local-time = Heure locale
visitor-facts-time-zone = Fuseau horaire
visitor-facts-earlier = Conversations précédentes
visitor-first-conversation = C’est sa première conversation.

## La note du visiteur à la fin d’une discussion (historique et transcription).
history-rating = Note
history-any-rating = Toutes les notes
history-rated-good = Jugée bonne
history-rated-bad = Jugée mauvaise
history-unrated = Sans note
history-not-a-rating = la note doit être good, bad ou unrated
rating-good = Bonne
rating-bad = Mauvaise
transcript-rating-title = La note du visiteur

## The supervisor board's figures (waiting, first response, satisfaction).
board-figures = Temps de réponse et satisfaction
board-figures-note = Moyennes des attentes et des premières réponses terminées dans chaque période ; la satisfaction est la part des bonnes notes. Aujourd’hui commence à minuit ({ $zone }).
board-waiting-time = Attente moyenne
board-first-response = Première réponse moyenne
board-satisfaction = Satisfaction
board-last-hour = Dernière heure
board-today = Aujourd’hui
board-last-30-days = 30 derniers jours
board-no-figure = aucune donnée
board-no-site = Aucun site.
board-satisfaction-today = Satisfaction aujourd’hui
board-satisfaction-30-days = Satisfaction sur 30 jours
board-duration-seconds = { $seconds } s
board-duration-minutes-seconds = { $minutes } min { $seconds } s
board-duration-minutes = { $minutes } min
board-duration-hours = { $hours } h { $minutes } min
board-duration-whole-hours = { $hours } h
board-satisfaction-figure = { $percent } % ({ $good } sur { $rated })
console-ringing = Sonne pour vous
console-ring-left = { $seconds } s pour accepter
console-accept = Accepter
console-accept-label = Accepter la conversation avec { $visitor } sur { $site }
console-decline = Refuser
console-ring-new = { $visitor } sur { $site } attend que vous acceptiez.
console-ring-missed = Vous n’avez pas accepté { $visitor } sur { $site } à temps : la conversation est passée au conseiller suivant.
transcript-accepted = Le site demande aux conseillers d’accepter une nouvelle conversation : elle a sonné pour ce conseiller, qui l’a acceptée à temps.
transcript-passed-timed-out = Elle a d’abord sonné pour { $name }, qui ne l’a pas acceptée à temps.
transcript-passed-declined = Elle a d’abord sonné pour { $name }, qui l’a refusée.
