## Company → Users → Import from CSV: the pages, and what the importer says of a file and its rows.

import-title = Importer des utilisateurs
import-back = ← Utilisateurs
import-upload-heading = Importer des utilisateurs depuis un fichier CSV
import-file-label = Fichier CSV ({ $max } lignes au plus ; virgules ou points-virgules, en UTF-8 ou en Windows-1252 comme l’enregistre Excel)
import-check = Vérifier le fichier
import-nothing-before-confirm = Rien n’est importé avant votre confirmation.
import-format = Format
import-format-help = La première ligne nomme les colonnes, dans n’importe quel ordre, en anglais ou en français (le nom entre parenthèses ; la casse et les accents ne comptent pas).
import-download-template = Téléchargez le modèle :
import-template-en = anglais
import-template-fr = français
import-col-column = Colonne
import-col-required = Obligatoire
import-col-meaning = Signification
import-yes = oui
import-no = non
import-none = aucun
import-meaning-email = L’adresse de l’utilisateur ; un seul compte par adresse, toutes entreprises confondues.
import-meaning-roles = Agent, Superviseur, Administrateur, Expert (ou Supervisor, Administrator), séparés par ; ou | — vide signifie Agent,
import-meaning-roles-none = signifie aucun rôle.
import-meaning-max-chats = Chats simultanés, de 1 à 20 ; vide signifie 3.
import-meaning-send-invitation = oui ou non ; vide signifie oui. Avec non, l’invitation est créée mais n’est envoyée que lorsque vous la renvoyez.
import-meaning-profile = Détails du profil.
import-same-file-again = Importer à nouveau le même fichier ne crée aucun doublon : les lignes dont l’adresse a déjà un compte sont ignorées.
import-template-language = Le modèle existe en anglais (en) et en français (fr), pas en « { $lang } ».
import-upload-unreadable = L’envoi n’a pas pu être lu : { $error }
import-file-unreadable = Le fichier n’a pas pu être lu : { $error }
import-choose-file = Choisissez un fichier CSV à envoyer.

## The preview and the import's progress.
import-preview-rows = { $count ->
    [one] { $count } ligne :
   *[other] { $count } lignes :
}
import-preview-importable = { $count ->
    [one] peut être importée,
   *[other] peuvent être importées,
}
import-preview-problems = { $count ->
    [one] ne le peut pas (voir ci-dessous).
   *[other] ne le peuvent pas (voir ci-dessous).
}
import-confirm = Importer { $count ->
    [one] { $count } utilisateur
   *[other] { $count } utilisateurs
}
import-another-file = Envoyer un autre fichier
import-progress = Importation en cours… { $done } lignes traitées sur { $total }.
import-done = Terminé : { $created ->
    [one] { $created } utilisateur créé
   *[other] { $created } utilisateurs créés
}, { $skipped ->
    [one] { $skipped } ligne ignorée
   *[other] { $skipped } lignes ignorées
}.
import-see-users = Voir les utilisateurs
import-interrupted = L’importation s’est arrêtée avant la fin (le serveur s’est arrêté). Envoyez à nouveau le fichier : les lignes déjà importées seront ignorées.
import-col-line = Ligne
import-col-email = Adresse e-mail
import-col-outcome = Résultat
import-outcome-ok = ok
import-outcome-created = créé
import-already-confirmed = Cette importation a déjà été confirmée.

## What is wrong with a file.
import-file-empty = le fichier est vide
import-file-not-text = le fichier n’est pas du texte (enregistrez-le depuis le tableur au format CSV)
import-missing-columns = { $count ->
    [one] il manque à l’en-tête la colonne { $missing }
   *[other] il manque à l’en-tête les colonnes { $missing }
} ; lu avec { $separator } comme séparateur, il contient les colonnes { $seen }
import-no-columns = aucune
import-quoted = « { $text } »
import-too-many-rows = le fichier contient { $rows } lignes ; importez-en { $max } au plus à la fois
import-not-csv = le fichier ne peut pas être lu comme du CSV : { $error }
import-separator-comma = la virgule (,)
import-separator-semicolon = le point-virgule (;)
import-separator-tab = la tabulation

## Columns as messages name them.
import-column-email = courriel
import-column-first-name = prénom
import-column-last-name = nom
import-column-roles = rôles
import-column-max-chats = chats_max
import-column-send-invitation = envoyer_invitation
import-column-display-name = nom_affiché
import-column-phone = téléphone
import-column-job-title = fonction

## What is wrong with a row.
import-unreadable-line = ligne illisible : { $error }
import-field-count = a { $fields } champs, l’en-tête en a { $header }
import-malformed-address = adresse mal formée : { $error }
import-unknown-role = rôle inconnu « { $role } » (attendu : Agent, Superviseur, Administrateur ou Expert)
import-max-chats-not-a-number = { $column } « { $value } » n’est pas un nombre
import-send-invitation-yes-no = { $column } « { $value } » doit valoir oui ou non
import-duplicate = doublon dans le fichier (même adresse qu’à la ligne { $line })
import-already-a-user = déjà utilisateur
import-no-seat-left = trop de licences : il ne reste aucune licence pour cet utilisateur
