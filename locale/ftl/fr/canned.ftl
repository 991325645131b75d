# Réponses enregistrées : celles de l’entreprise (administration), celles d’un agent (son
# compte), et la liste de la zone de réponse de la console.

nav-canned = Réponses enregistrées
canned-title = Réponses enregistrées
canned-own-title = Mes réponses enregistrées
canned-breadcrumb = Administration → Configuration → Réponses enregistrées
canned-back-account = ← Mon compte
canned-intro = Des réponses prêtes que chaque agent de l’entreprise peut insérer : taper / et le raccourci dans la zone de réponse de la console les propose.
canned-own-intro = Vos réponses prêtes, à côté de celles de l’entreprise : taper / et le raccourci dans la zone de réponse de la console les propose. Vous seul les voyez.
canned-own-manage = Gérer mes réponses enregistrées
canned-col-shortcut = Raccourci
canned-col-text = Texte
canned-col-actions = Actions
canned-edit = Modifier
canned-edit-name = Modifier /{ $shortcut }
canned-remove = Supprimer
canned-remove-name = Supprimer /{ $shortcut }
canned-empty = Aucune réponse enregistrée pour l’instant.
canned-add = Ajouter une réponse
canned-add-button = Ajouter
canned-shortcut-label = Raccourci
canned-shortcut-help = De 1 à 32 lettres minuscules, chiffres, - ou _, tapés après / dans la console (merci, horaires).
canned-text-label = Texte
canned-text-help = Jusqu’à 4 000 caractères. {"{"}nom_visiteur{"}"} devient le nom du visiteur (ou son numéro) et {"{"}nom_agent{"}"} votre nom tel que la console l’affiche ({"{"}visitor_name{"}"} et {"{"}agent_name{"}"} marchent aussi).
canned-added-notice = /{ $shortcut } a été ajoutée.
canned-edit-title = Modifier une réponse enregistrée
canned-back = ← Réponses enregistrées
canned-save = Enregistrer
canned-cancel = Annuler
canned-saved-notice = La réponse enregistrée a été modifiée.
canned-remove-title = Supprimer une réponse enregistrée
canned-remove-heading = Supprimer /{ $shortcut } ?
canned-remove-yes = Oui, supprimer /{ $shortcut }
canned-remove-button = Supprimer
canned-remove-tick = Cochez la case pour confirmer la suppression.
canned-removed-notice = La réponse enregistrée a été supprimée.

canned-picker-label = Réponses enregistrées
canned-picker-none = Aucune réponse enregistrée ne correspond.
canned-picker-help = ↑ ↓ pour choisir, Entrée ou Tab pour insérer, Échap pour fermer.
canned-picker-count = Réponses enregistrées trouvées : { $count }

canned-err-exists = cette réponse enregistrée existe déjà
canned-err-shortcut-missing = indiquez un raccourci
canned-err-bad-shortcut = « { $value } » n’est pas un raccourci : utilisez de 1 à { $max } lettres minuscules, chiffres, - ou _
canned-err-shortcut-taken = le raccourci /{ $shortcut } est déjà pris
canned-err-text-missing = indiquez le texte de la réponse
canned-err-text-too-long = le texte dépasse { $max } caractères
canned-err-too-many = gardez au plus { $max } réponses enregistrées

audit-canned-added = a ajouté la réponse enregistrée /{ $shortcut }
audit-canned-changed = a modifié la réponse enregistrée /{ $shortcut }
audit-canned-removed = a supprimé une réponse enregistrée
audit-kind-canned = Réponses enregistrées
