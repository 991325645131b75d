## La connexion, et le choix d’un nouveau mot de passe quand il est oublié.

auth-email = Adresse e-mail
auth-password = Mot de passe
auth-login-title = Connexion
auth-login-heading = Connexion à Switchboard
auth-login-button = Se connecter
auth-forgot-link = Mot de passe oublié ?
auth-login-reset-done = Votre nouveau mot de passe est enregistré et toutes vos autres sessions sont fermées. Connectez-vous avec celui-ci.
auth-login-expired = Ce formulaire avait expiré. Veuillez vous reconnecter.
auth-login-wrong = Adresse e-mail ou mot de passe incorrect.
auth-too-many-logins = Trop de tentatives de connexion échouées. Attendez { $minutes } minutes avant de réessayer.

auth-password-too-short = le mot de passe doit comporter au moins { $min } caractères
auth-password-too-long = le mot de passe doit comporter au plus { $max } caractères
auth-passwords-differ = Les deux mots de passe sont différents.

auth-reset-title = Mot de passe oublié ?
auth-reset-intro = Indiquez l’adresse e-mail de votre compte : nous vous enverrons un lien pour choisir un nouveau mot de passe. Le lien ne fonctionne qu’une fois, pendant une heure.
auth-reset-send = M’envoyer un lien
auth-back-to-login = Retour à la connexion
auth-reset-expired-form = Ce formulaire avait expiré. Veuillez réessayer.
auth-reset-email-missing = Indiquez l’adresse e-mail de votre compte.
auth-reset-too-many = Trop de demandes de réinitialisation du mot de passe. Attendez { $minutes } minutes avant de redemander, et cherchez le lien déjà envoyé dans votre boîte de réception (et dans ses courriers indésirables).
auth-reset-deactivated = cet utilisateur est désactivé : réactivez-le avant de lui envoyer un lien de réinitialisation

auth-reset-sent-title = Consultez votre boîte de réception
auth-reset-sent = Si un compte utilise cette adresse, nous lui avons envoyé un lien pour choisir un nouveau mot de passe. Le lien ne fonctionne qu’une fois, pendant une heure.
auth-reset-sent-nothing = Rien reçu après quelques minutes ? Regardez dans les courriers indésirables, vérifiez l’adresse ou demandez à un administrateur de votre entreprise de vous envoyer un lien.

auth-link-expired-title = Ce lien a expiré
auth-link-used-title = Ce lien a déjà été utilisé
auth-link-replaced-title = Ce lien a été remplacé
auth-link-invalid-title = Ce lien n’est pas valide
auth-link-expired = Ce lien de réinitialisation du mot de passe a expiré ; demandez-en un nouveau.
auth-link-used = Ce lien de réinitialisation du mot de passe a déjà été utilisé ; demandez-en un nouveau si nécessaire.
auth-link-replaced = Ce lien de réinitialisation du mot de passe a été remplacé par un plus récent ; utilisez le dernier e-mail reçu.
auth-link-invalid = Ce lien de réinitialisation du mot de passe n’est pas valide.
auth-link-no-reset = Aucune réinitialisation du mot de passe n’est en cours pour cet utilisateur.
auth-link-ask-again = Demander un nouveau lien

auth-choose-title = Choisissez un nouveau mot de passe
auth-choose-hello = Bonjour { $first_name }, choisissez le nouveau mot de passe de votre compte Switchboard. Toutes vos autres sessions seront fermées.
auth-choose-password = Nouveau mot de passe (au moins { $min } caractères)
auth-choose-confirm = Le même mot de passe, une seconde fois
auth-choose-submit = Enregistrer mon nouveau mot de passe
auth-choose-expired = Ce formulaire avait expiré. Veuillez saisir de nouveau votre mot de passe.
