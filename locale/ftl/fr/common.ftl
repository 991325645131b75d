## Mots communs : décomptes, boutons et messages de toutes les pages.

count-users = { $count ->
    [one] { $count } utilisateur
   *[other] { $count } utilisateurs
}

## Le cadre de chaque page.
nav-console = Console
nav-supervision = Supervision
nav-conversations = Conversations
nav-company = Société
nav-users = Utilisateurs
nav-subscription = Abonnement
nav-company-settings = Paramètres
nav-audit = Journal d’audit
nav-configuration = Configuration
nav-sites = Sites et hotlines
nav-account = Votre compte, votre langue et votre fuseau horaire
nav-log-out = Se déconnecter

## Pages d’erreur.
error-back = Retour à Switchboard
status-400 = Requête incorrecte
status-403 = Accès refusé
status-404 = Page introuvable
status-409 = Conflit
status-410 = Lien périmé
status-413 = Fichier trop volumineux
status-422 = Saisie invalide
status-429 = Trop de tentatives
status-500 = Erreur interne
status-503 = Service indisponible
status-other = Erreur

## Les rôles, tels qu’on les lit.
role-agent = Agent
role-supervisor = Superviseur
role-administrator = Administrateur
role-expert = Expert

## Les jours de la semaine, tels qu’une phrase les écrit.
weekday-monday = lundi
weekday-tuesday = mardi
weekday-wednesday = mercredi
weekday-thursday = jeudi
weekday-friday = vendredi
weekday-saturday = samedi
weekday-sunday = dimanche
