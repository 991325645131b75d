## The audit log page and the descriptions of its entries (also a user's History tab).

audit-title = Journal d’audit
audit-who = Qui
audit-what = Quoi
audit-when = Quand
audit-object = Objet
audit-values = Valeurs
audit-anyone = Tout le monde
audit-every-action = Toutes les actions
audit-from = Du
audit-to = Au
audit-one-object = Un seul objet.
audit-show-all = Tout afficher
audit-filter = Filtrer
audit-export = Exporter en CSV
audit-only-this-object = Seulement cet objet
audit-nothing-matches = Aucune entrée ne correspond.
audit-newest = ← Plus récentes
audit-older = Plus anciennes →
audit-not-a-date = « { $text } » n’est pas une date (AAAA-MM-JJ)
audit-not-a-kind = « { $kind } » n’est pas un type d’action
audit-not-a-page-position = « { $text } » n’est pas une position de page
audit-object-a-user = un utilisateur
audit-object-site = le site
audit-object-invoice = facture n° { $number }
audit-object-company = l’entreprise

## Kinds of action, as the filter names them.
audit-kind-users = utilisateurs
audit-kind-roles = rôles
audit-kind-seats = licences
audit-kind-billing = facturation
audit-kind-sites = sites
audit-kind-widget = widget
audit-kind-agents = agents
audit-kind-visitors = visiteurs

## Who did it, when it is not a user of the company.
audit-who-system-billing = Switchboard (facturation)
audit-who-system-cli = Switchboard (opérateurs)
audit-who-system = Switchboard ({ $name })
audit-who-visitor = un visiteur
audit-who-someone = quelqu’un

## What happened: a sentence whose subject is who did it.
audit-user-registered = a créé le compte de { $email }
audit-user-invited-later = a créé une invitation (pas encore envoyée)
audit-user-invited = a envoyé une invitation par e-mail
audit-invitation-link-issued = a envoyé un lien d’invitation
audit-invitation-accepted = a accepté l’invitation
audit-password-set = a défini le mot de passe
audit-password-reset-requested = a demandé un lien de réinitialisation du mot de passe
audit-password-reset-link-issued = a envoyé un lien de réinitialisation du mot de passe
audit-password-reset = a choisi un nouveau mot de passe grâce à un lien de réinitialisation
audit-profile-changed = a modifié le profil
audit-email-changed = a remplacé l’adresse e-mail par { $email }
audit-max-chats-changed = a fixé le nombre maximal de chats simultanés à { $max_chats }
audit-member-added = a ajouté l’utilisateur à l’entreprise
audit-member-added-as = a ajouté l’utilisateur à l’entreprise comme { $roles }
audit-role-granted = a activé le rôle { $role }
audit-role-revoked = a désactivé le rôle { $role }
audit-member-deactivated = a désactivé le compte
audit-member-reactivated = a réactivé le compte
audit-registration-abandoned = a abandonné la création ({ $reason })
audit-agent-assigned = a affecté l’agent à un site en priorité { $priority ->
    [high] haute
    [normal] normale
    [low] basse
   *[other] { $priority }
}
audit-agent-priority-changed = a placé l’agent en priorité { $priority ->
    [high] haute
    [normal] normale
    [low] basse
   *[other] { $priority }
} sur un site
audit-agent-unassigned = a retiré l’agent d’un site
audit-seats-changed-from = a fait passer le nombre de licences de { $previous } à { $seats }
audit-seats-changed = a fixé le nombre de licences à { $seats }
audit-order-placed = a commandé { $seats } licences, paiement { $period ->
    [annual] annuel
    [monthly] mensuel
   *[other] { $period }
}
audit-payment-succeeded = a payé { $cents } centimes
audit-payment-failed = a vu un paiement refusé ({ $code })
audit-offer-changed = a changé l’offre pour { $seats } licences
audit-invoice-issued = a émis la facture n° { $number }
audit-subscription-past-due = n’a pas pu renouveler : l’abonnement est en retard de paiement
audit-visitor-erased = a effacé les données personnelles d’un visiteur
