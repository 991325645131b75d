## Company → Users: the list, adding a user, editing one, and the invitation link.

users-title = Utilisateurs
users-seats-exhausted = Les { $seats } licences sont toutes utilisées : aucun utilisateur ne peut être ajouté, invité, importé ni réactivé tant qu’aucune licence n’est libre.
users-seats-add = Ajouter
users-past-due = Le renouvellement de l’abonnement n’a pas pu être prélevé depuis le { $since }. Un nouvel essai a lieu chaque jour et personne ne perd l’accès ; payez avec une autre carte pour régulariser.
users-subscription = Abonnement
users-paid = Paiement reçu.
users-paid-seats = Paiement reçu : { $seats } licences sont à vous.
users-paid-invoice = Facture n° { $number }
users-added = L’utilisateur a été ajouté.
users-search-placeholder = Rechercher par nom ou adresse e-mail
users-search-label = Rechercher des utilisateurs
users-search = Rechercher
users-add-user = Ajouter un utilisateur
users-import = Importer un fichier CSV
users-seats-in-use = { $in_use } licences utilisées sur { $seats }
users-roles-help = Rôles : seuls Agent et Superviseur comptent pour le chat (les agents répondent, les superviseurs observent). Expert n’est pas utilisé par le chat.
users-col-name = Nom
users-col-email = Adresse e-mail
users-col-status = Statut
users-col-max-chats = Chats max.
users-edit = Modifier
users-edit-name = Modifier { $name }
users-none-match = Aucun utilisateur ne correspond.
users-previous = ← Précédente
users-next = Suivante →
users-page = Page { $page } sur { $pages } · { $count ->
    [one] { $count } utilisateur
   *[other] { $count } utilisateurs
}
users-role-on-label = Rôle { $role } pour { $name } : oui
users-role-off-label = Rôle { $role } pour { $name } : non
users-toggle-on = OUI
users-toggle-off = NON

## Roles and statuses, as people read them.
users-role-agent = Agent
users-role-supervisor = Superviseur
users-role-administrator = Administrateur
users-role-expert = Expert
users-status-invited = invité
users-status-active = actif
users-status-deactivated = désactivé

## Adding a user.
users-new-title = Ajouter un utilisateur
users-field-email = Adresse e-mail
users-field-first-name = Prénom
users-field-last-name = Nom
users-field-display-name-optional = Nom affiché aux visiteurs (facultatif)
users-field-phone-optional = Téléphone (facultatif)
users-field-job-title-optional = Fonction (facultatif)
users-roles = Rôles
users-roles-chat-help = Seuls Agent et Superviseur comptent pour le chat. Expert n’est pas utilisé par le chat.
users-max-chats-label = Nombre maximal de chats simultanés (1 à { $limit })
users-max-chats-whole = Le nombre maximal de chats doit être un nombre entier.
users-access = Accès
users-access-invite = Envoyer une invitation par e-mail : l’utilisateur choisit son mot de passe (lien valable 72 heures)
users-access-invite-later = Créer l’invitation maintenant, envoyer l’e-mail plus tard
users-access-password = Définir un mot de passe maintenant, sans e-mail
users-password-label = Mot de passe (8 caractères au moins)
users-generate-title = Crée l’utilisateur avec un mot de passe aléatoire robuste, affiché une seule fois
users-generate = Générer un mot de passe et ajouter
users-cancel = Annuler
users-created-title = Utilisateur ajouté
users-give-password = Donnez ce mot de passe à { $email }. Il n’est affiché que maintenant : copiez-le avant de quitter cette page.
users-copy = Copier
users-open-user = Ouvrir la fiche de l’utilisateur
users-back = Retour aux utilisateurs

## Editing one user.
users-back-to-list = ← Utilisateurs
users-tab-profile = Profil
users-tab-settings = Réglages
users-tab-history = Historique
users-account = Compte
users-resend = Renvoyer l’invitation
users-link-expires = Le lien actuel expire le { $when }.
users-send-reset = Envoyer un lien de réinitialisation du mot de passe
users-send-reset-help = Envoie à l’utilisateur un lien, valable une heure, pour choisir un nouveau mot de passe.
users-reactivate = Réactiver
users-reactivate-help = La réactivation prend une licence.
users-deactivate-button = Désactiver…
users-deactivate-help = Un utilisateur désactivé ne peut plus se connecter et libère une licence ; rien n’est supprimé.
users-field-display-name = Nom affiché aux visiteurs
users-field-phone = Téléphone
users-field-job-title = Fonction
users-save = Enregistrer
users-saved = Enregistré.
users-max-chats-settings-label = Nombre maximal de chats simultanés (1 à { $limit })
users-max-chats-help = Combien de conversations cet agent peut mener à la fois. Les nouveaux chats vont aux agents qui ont une place libre.
users-history-when = Quand ({ $zone })
users-history-who = Qui
users-history-what = Quoi
users-deactivate-title = Désactiver un utilisateur
users-deactivate-question = Désactiver { $name } ?
users-deactivate-logged-out = { $name } ({ $email }) est déconnecté immédiatement et ne peut plus se connecter.
users-deactivate-no-chats = Aucun nouveau chat ne lui est proposé ; sa place sur les sites est conservée pour son retour.
users-deactivate-seat = Sa licence est libérée. Rien n’est supprimé : son historique reste, et le réactiver plus tard reprend une licence.
users-deactivate-confirm = Désactiver { $name }
users-deactivated = L’utilisateur est désactivé.
users-reactivated = L’utilisateur est de nouveau actif.
users-invitation-resent = Une nouvelle invitation est en route ; le lien précédent ne fonctionne plus.
users-reset-sent = Un lien de réinitialisation du mot de passe est en route vers l’utilisateur ; il fonctionne une fois, pendant une heure.

## The invitation link: the invited user chooses a password.
users-invitation-expired-title = Cette invitation a expiré
users-invitation-expired = Ce lien d’invitation a expiré ; demandez à votre administrateur de vous en envoyer un nouveau.
users-invitation-used-title = Cette invitation a déjà été utilisée
users-invitation-used = Ce lien d’invitation a déjà été utilisé.
users-invitation-replaced-title = Cette invitation a été remplacée
users-invitation-replaced = Ce lien d’invitation a été remplacé par un plus récent ; utilisez le dernier e-mail reçu.
users-invitation-unknown-title = Ce lien d’invitation n’est pas valide
users-invitation-unknown = Ce lien d’invitation n’est pas valide.
users-invitation-log-in = Se connecter
users-invitation-title = Choisissez votre mot de passe
users-invitation-welcome = Bienvenue, { $first_name }
users-invitation-intro = Choisissez le mot de passe de votre compte Switchboard.
users-invitation-password = Mot de passe ({ $min } caractères au moins)
users-invitation-confirm = Le même mot de passe, à nouveau
users-invitation-submit = Enregistrer mon mot de passe
users-invitation-form-expired = Ce formulaire avait expiré. Veuillez saisir à nouveau votre mot de passe.
users-invitation-set-title = Mot de passe enregistré
users-invitation-set = Votre mot de passe est enregistré
users-invitation-set-help = Vous pouvez maintenant vous connecter avec votre adresse e-mail et ce mot de passe.

## Messages of the users use cases.
users-unknown-role = rôle inconnu « { $role } » (attendu : Agent, Superviseur, Administrateur ou Expert)
