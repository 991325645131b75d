## Administration → Configuration → Sites et hotlines : la liste, la page d’un site, ses
## pages d’installation et de test, les conseillers (agents) d’un site, et le bouton Copier.
## Un `{ $mark }` est la place de ce que la page met elle-même (un nom en gras, du code).

sites-title = Sites et hotlines
sites-breadcrumb = Administration → Configuration → Sites et hotlines
sites-back = ← Sites et hotlines
sites-add = Ajouter un site
sites-col-site = Site
sites-col-urls = URL
sites-col-online = En ligne
sites-high = Haute
sites-normal = Normale
sites-low = Basse
sites-online = { $count } en ligne
sites-nobody = personne
sites-edit = Modifier
sites-edit-name = Modifier { $name }
sites-install = Installer
sites-test = Tester
sites-empty = Aucun site pour l’instant. Ajoutez-en un pour proposer le chat sur votre site web.

## The site's fields
sites-name-label = Nom *
sites-urls-label = URL du site * (une par ligne)
sites-urls-placeholder = www.exemple.fr ou https://www.exemple.fr/boutique
sites-urls-help = Les URL n’ont pas besoin d’être exactes : si le widget se charge ailleurs, un avertissement s’affiche ici. Cochez la case ci-dessous pour n’autoriser que ces URL.
sites-restrict = Uniquement sur ces URL (le widget refuse de s’ouvrir ailleurs)
sites-notes-label = Notes (à quoi sert ce site)
sites-create = Créer le site

## A site's page
sites-unlisted-heading = Le widget a été chargé depuis des adresses que ce site ne mentionne pas :
sites-unlisted-seen = { $origin } (dernière fois le { $seen })
sites-unlisted-refused = Il a refusé de s’y ouvrir, car le site est limité à ses URL.
sites-unlisted-advice = Ajoutez-les aux URL si elles sont à vous ; sinon, quelqu’un a copié votre extrait de code.
sites-advisors = Conseillers
sites-advisors-high = Haute :
sites-advisors-normal = Normale :
sites-advisors-low = Basse :
sites-configure = Configurer
sites-general = Général
sites-save = Enregistrer
sites-saved = Enregistré.
sites-widget = Widget
sites-widget-help = Les modifications s’appliquent aux prochains chargements de page ; l’extrait de code reste le même.
sites-weights = Poids des priorités
sites-weights-help = Parmi les agents qui ont une place libre, chacun se voit proposer de nouveaux chats en proportion du poids de sa priorité : avec les valeurs par défaut (Haute 3, Normale 2, Basse 1), un agent de priorité haute reçoit trois chats pour un reçu par un agent de priorité basse. Les priorités plus basses en reçoivent tout de même ; à égalité, le moins occupé l’emporte.
sites-key = Clé du widget
sites-key-help = Publique : elle figure dans vos pages. La changer fait disparaître le widget de toutes les pages qui portent l’ancien extrait de code.
sites-rotate-link = Changer la clé…
sites-installation = Installation
sites-test-my-module = Tester mon module
sites-delete = Supprimer
sites-delete-link = Supprimer ce site…
sites-deleted = Ce site a été supprimé : son widget n’ouvre plus de chats. Ses conversations restent dans l’historique.
sites-back-to-sites = Retour aux sites
sites-cancel = Annuler

## The widget's settings
sites-colour = Couleur
sites-greeting = Message d’accueil
sites-position = Position
sites-bottom-right = En bas à droite
sites-bottom-left = En bas à gauche
sites-language = Langue
sites-offline-text = Texte du formulaire hors ligne (affiché quand aucun agent n’est en ligne)

## Rotating the key
sites-rotate-title = Changer la clé du widget
sites-rotate-heading = Changer la clé du widget de { $name } ?
sites-rotate-stops = Toutes les pages qui portent l’extrait de code actuel (clé { $mark }) cessent aussitôt d’afficher le widget.
sites-rotate-paste = Vous collez ensuite le nouvel extrait (présenté sur la page d’installation) dans votre site, ou la nouvelle clé dans l’extension WordPress.
sites-history-stays = Les conversations déjà tenues restent dans l’historique.
sites-rotate-button = Changer la clé
sites-rotated = La clé du widget a changé : mettez à jour l’extrait de code de vos pages (la page d’installation montre le nouveau).

## Deleting
sites-delete-title = Supprimer un site
sites-delete-heading = Supprimer { $name } ?
sites-delete-explain = Le widget cesse aussitôt d’ouvrir de nouveaux chats sur ce site. Les conversations déjà tenues restent dans l’historique. Cette action est irréversible.
sites-delete-yes = Oui, supprimer { $name }
sites-delete-button = Supprimer le site
sites-delete-tick = Cochez la case pour confirmer la suppression.
sites-deleted-notice = Le site a été supprimé.

## Installing
sites-install-title = Installation manuelle
sites-install-paste = Collez ces lignes dans chaque page de { $site }, juste avant { $body } :
sites-copy = Copier
sites-install-async = Le script se charge de façon asynchrone : il ne ralentit jamais votre page. Changer plus tard la couleur ou les textes du widget ne demande pas de nouvel extrait.
sites-platforms = Plateformes courantes
sites-platform-others = Joomla, Drupal et autres
sites-install-wordpress-download = Télécharger l’extension (.zip)
sites-install-wordpress = { $download }. Mettez-la ensuite en ligne sous Extensions → Ajouter → Mettre une extension en ligne, activez { $plugin }, puis sous Réglages → Switchboard Chat collez l’adresse { $address } et la clé du site { $key }.
sites-install-shopify = Boutique en ligne → Thèmes → ⋯ → Modifier le code → { $file } : collez les lignes juste avant { $body } et enregistrez.
sites-install-wix = Paramètres → Code personnalisé → Ajouter du code personnalisé : collez les lignes, appliquez-les à toutes les pages, placez-les dans Body – fin.
sites-install-squarespace = Paramètres → Avancé → Injection de code → Pied de page : collez les lignes.
sites-install-gtm = Une balise HTML personnalisée contenant les lignes, déclenchée sur toutes les pages (All Pages).
sites-install-others = Placez les lignes dans le modèle principal du thème, avant { $body }, ou dans un bloc HTML personnalisé de pied de page affiché sur toutes les pages.

## Test my module
sites-test-title = Tester mon module · { $name }
sites-test-heading = Tester mon module : { $name }
sites-test-intro = Cette page charge le widget exactement comme votre site, avec l’extrait de code ci-dessous.
sites-test-script = Script du widget :
sites-test-loading = chargement…
sites-test-agents = Agents en ligne :
sites-test-asking = interrogation…
sites-test-hint = Dès qu’un agent de ce site est en ligne, ouvrez la bulle de chat pour essayer une conversation.
sites-test-inactive = installé, mais inactif ({ $reason })
sites-test-unknown = inconnu
sites-test-running = installé et en marche
sites-test-online = oui : ouvrez la bulle pour discuter
sites-test-nobody = personne en ligne pour l’instant
sites-test-not-loaded = non chargé : vérifiez l’extrait de code et l’adresse du serveur

## Messages about a site's settings
sites-bad-position = la position « { $value } » doit être bottom-right ou bottom-left
sites-bad-language = la langue « { $value } » doit être en ou fr
sites-bad-weight = le poids { $field ->
    [high] de la priorité haute
    [normal] de la priorité normale
    [low] de la priorité basse
   *[other] { $field }
} doit être un nombre entier de 1 à 100
sites-origin-refused = Le widget de { $site } ne peut pas être utilisé sur { $origin }.
sites-origin-refused-none = Le widget de { $site } ne peut pas être utilisé sur une page sans origine.

## The advisors of a site
advisors-title = Conseillers de { $site }
advisors-all = Tous les agents
advisors-high = Priorité haute
advisors-normal = Priorité normale
advisors-low = Priorité basse
advisors-help = Faites glisser les agents dans une colonne de priorité, d’une colonne à l’autre, ou de retour dans Tous les agents ; ou sélectionnez-en un et appuyez sur 1 (haute), 2 (normale), 3 (basse), 0 (retirer). Seuls les utilisateurs qui ont le rôle Agent peuvent être ajoutés. Une personne qui perd ce rôle ou qui est désactivée garde sa place, mais ne se voit proposer aucun chat tant que le rôle ne lui est pas rendu.
advisors-not-offered = aucun chat proposé
advisors-not-offered-why = Gardé, mais aucun chat proposé : pas de rôle Agent, ou compte désactivé
advisors-col-agent = Agent
advisors-col-priority = Priorité
advisors-priority-of = Priorité de { $name }
advisors-not-assigned = Non affecté
advisors-save = Enregistrer
advisors-saved = Enregistré.
advisors-remove-title = Retirer des conseillers
advisors-remove-heading = Retirer de { $site } ?
advisors-remove-explain = Les chats de ce site ne leur seront plus proposés. Les conversations qu’ils tiennent en ce moment leur restent ; ils pourront être ajoutés de nouveau plus tard.
advisors-remove-button = Retirer et enregistrer
advisors-cancel = Annuler
advisors-failure = { $name } : { $message }
# The script's words.
advisors-js-confirm-remove = Retirer { $name } de ce site ? Ses chats ne lui seront plus proposés.
advisors-js-kept = { $name } : gardé.
advisors-js-still-saving = { $name } : enregistrement en cours, réessayez dans un instant.
advisors-js-http-error = Enregistrement impossible : HTTP { $status }
advisors-js-network-error = Enregistrement impossible : erreur réseau
advisors-js-no-longer-assigned = plus affecté
advisors-js-saved = { $name } : { $what }, enregistré.
advisors-js-picked-up = { $name } saisi. Choisissez une colonne avec les flèches, Entrée pour déposer, Échap pour annuler.
advisors-js-cancelled = { $name } : déplacement annulé.
advisors-js-not-moved = { $name } : pas déplacé.

## The copy button (static/copy.js)
copy-done = Copié
copy-manual = Appuyez sur Ctrl+C

## Les horaires d’ouverture, sur la page du site.
sites-hours = Horaires d’ouverture
sites-hours-enabled = Ouvert aux discussions seulement pendant ces horaires
sites-hours-help = En dehors, le module affiche le formulaire hors ligne, même si un agent est en ligne, et indique quand l’équipe sera de retour. Les heures sont celles du fuseau horaire de l’entreprise : { $zone }. Pour rester ouvert jusqu’à minuit, finissez à 00:00.
sites-hours-zone-link = Changer de fuseau horaire
sites-hours-day = Jour
sites-hours-open = Ouvert
sites-hours-from = De
sites-hours-to = À
sites-hours-open-on = Ouvert le { $day }
sites-hours-from-on = { $day } : heure d’ouverture { $n }
sites-hours-to-on = { $day } : heure de fermeture { $n }
sites-hours-now-open = Ouvert en ce moment.
sites-hours-now-closed = Fermé en ce moment. { $back }.
sites-prechat-form = Demander un nom et une adresse e-mail avant la discussion (formulaire préalable)
sites-prechat-form-help = Les visiteurs donnent alors leur nom, leur adresse et, s’ils le souhaitent, leur question avant d’écrire ; les conseillers les voient à côté de la conversation, et le visiteur peut recevoir une copie de la discussion à cette adresse.
sites-accept = Accepter avant d’attribuer
sites-accept-help = Activée, une nouvelle discussion sonne pour l’agent choisi selon les poids des priorités, et ne lui est attribuée que lorsqu’il l’accepte. S’il ne l’accepte pas à temps, ou la refuse, elle sonne pour l’agent suivant choisi selon les mêmes règles. La discussion qui sonne garde la place de l’agent, et le visiteur garde sa place dans la file. Désactivée, une nouvelle discussion est attribuée à l’agent aussitôt.
sites-accept-enabled = Les agents acceptent une nouvelle discussion avant qu’elle leur soit attribuée
sites-accept-seconds = Secondes pour accepter (de { $min } à { $max })
