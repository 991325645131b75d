## Les e-mails, écrits dans la langue de leur destinataire : une invitation, un lien pour réinitialiser le mot de passe, un message hors ligne et sa réponse.

mail-hello = Bonjour { $first_name },

mail-invitation-subject = { $company } vous invite sur Switchboard
mail-invitation-intro = { $company } vous a créé un compte Switchboard. Choisissez votre mot de passe ici :
mail-invitation-expiry = Le lien ne fonctionne qu’une fois et expire le { $expires_at }. S’il a expiré, demandez à votre administrateur de vous en envoyer un nouveau.

mail-reset-subject = Réinitialisez votre mot de passe Switchboard
mail-reset-intro = Quelqu’un a demandé la réinitialisation du mot de passe de votre compte Switchboard. Choisissez un nouveau mot de passe ici :
mail-reset-expiry = Le lien ne fonctionne qu’une fois et expire le { $expires_at }. Choisir un nouveau mot de passe ferme toutes vos autres sessions.
mail-reset-not-you = Si vous n’êtes pas à l’origine de cette demande, ignorez cet e-mail : votre mot de passe reste inchangé.

mail-offline-subject = { $site } : un message de { $visitor }
mail-offline-intro = { $visitor } a laissé un message sur { $site } le { $at }, alors que personne n’était en ligne :
mail-offline-answer = Lisez-le et répondez-y par e-mail depuis l’historique :
mail-offline-why = Vous recevez ce message parce que vous répondez aux discussions de { $site } ou administrez son entreprise.

mail-answer-subject = Votre message à { $site }
mail-answer-signature = { $agent }, { $site }
mail-answer-you-wrote = Le { $at }, vous avez écrit :

mail-transcript-subject = Votre discussion avec { $site }
mail-transcript-intro = Voici une copie de votre discussion avec { $site } du { $at } :
mail-transcript-you = Vous
mail-transcript-line = [{ $time }] { $who } : { $text }
mail-transcript-why = Vous recevez ce message parce que vous avez demandé une copie à { $site } à la fin de la discussion.
