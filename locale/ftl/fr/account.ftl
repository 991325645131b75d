## La page du compte de l’utilisateur : qui il est, sa langue et son fuseau horaire.

prefs-unknown-language = Switchboard ne parle pas la langue « { $value } » (français ou anglais)
prefs-unknown-time-zone = « { $value } » n’est pas un fuseau horaire (un nom comme Europe/Paris)

account-title = Votre compte
account-logged-in-as = Vous êtes connecté en tant que { $name } ({ $email }).
account-no-role = Votre compte n’a encore aucun rôle : il n’y a rien à ouvrir ici. Demandez à un administrateur de votre société de vous donner le rôle Agent, Superviseur ou Administrateur.
account-roles = Rôles : { $roles }.
account-no-page = Aucun de vos rôles n’a de page à lui : le rôle Expert n’est pas utilisé par le chat. Demandez à un administrateur de votre société le rôle Agent, Superviseur ou Administrateur.
account-continue = Continuer
account-preferences = Langue et fuseau horaire
account-language = Langue
account-language-automatic = Automatique (la langue de votre navigateur)
account-language-hint = Les pages, les e-mails et les messages sont rédigés dans cette langue.
account-time-zone = Fuseau horaire
account-time-zone-company = Celui de la société ({ $zone })
account-save = Enregistrer
account-saved = Votre langue et votre fuseau horaire sont enregistrés.
account-notifications = Notifications de la console
account-notify-sound = Jouer un son quand une conversation arrive ou qu’un visiteur écrit dans une conversation que vous ne regardez pas
account-notify-desktop = Afficher alors une notification sur le bureau (votre navigateur demande l’autorisation la première fois)
account-notify-hint = Le titre de l’onglet compte vos conversations non lues dans tous les cas.
account-notify-saved = Vos notifications de la console sont enregistrées.

company-title = Paramètres de la société
company-intro = La langue et le fuseau horaire des utilisateurs de la société qui n’ont pas choisi les leurs, et des e-mails qu’ils reçoivent.
company-language = Langue par défaut
company-time-zone = Fuseau horaire
company-saved = La langue et le fuseau horaire de la société sont enregistrés.
