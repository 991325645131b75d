## Le module de discussion des visiteurs, dans la langue de son site. Le message d’accueil
## et le texte hors ligne d’un site, quand un administrateur les a écrits, remplacent ceux-ci.

widget-greeting = Bonjour ! Comment pouvons-nous vous aider aujourd’hui ?
widget-offline-text = Nous ne sommes pas en ligne pour le moment. Laissez-nous un message et nous vous répondrons par e-mail.
widget-open = Discuter avec nous
widget-close = Fermer
widget-online = Nous sommes en ligne
widget-offline = Personne n’est en ligne pour le moment
widget-reconnecting = Connexion perdue : reconnexion…
widget-end = Terminer la discussion
widget-log = Messages
widget-placeholder = Écrivez votre message…
widget-send = Envoyer
widget-you = Vous
widget-agent = Conseiller
widget-pending = Envoi…
widget-delivered = Remis
widget-failed = Non envoyé
widget-queue = Vous êtes n° { $position } dans la file d’attente
widget-with = Vous discutez avec { $name }
widget-typing = { $name } est en train d’écrire…
widget-typing-agent = Le conseiller est en train d’écrire…
widget-ended = La conversation est terminée
widget-name = Votre nom
widget-email = Votre adresse e-mail
widget-message = Votre message
widget-submit = Envoyer le message
widget-thanks = Merci ! Nous avons bien reçu votre message et vous répondrons par e-mail.
widget-bad-email = Veuillez saisir une adresse e-mail valide.
widget-no-message = Veuillez écrire un message.
widget-too-long = Ce message est trop long (4 000 caractères au maximum).
widget-slow = Vous envoyez des messages trop vite : ils partiront dans un instant.
widget-error = Une erreur s’est produite. Veuillez réessayer.
