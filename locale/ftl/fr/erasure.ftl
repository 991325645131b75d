## Erasing a visitor's personal data (a GDPR request), from a conversation's page.

erasure-title = Effacer les données d’un visiteur
erasure-question = Effacer les données de ce visiteur ?
erasure-what = Le nom du visiteur, son adresse e-mail, les pages qu’il a consultées et chaque message de ses conversations, réponses des agents comprises, deviennent illisibles : dans l’historique, l’API, le journal des événements et chaque export fait à partir de maintenant. Qui a répondu, et quand, est conservé. Son navigateur sera traité comme celui d’un nouveau visiteur la prochaine fois.
erasure-final = Cette action est irréversible.
erasure-confirm = Oui, effacer les données de ce visiteur
erasure-button = Effacer les données
erasure-cancel = Annuler
erasure-tick = Cochez la case pour confirmer l’effacement.
