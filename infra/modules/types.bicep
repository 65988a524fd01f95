// Parameter shapes shared by main.bicep and the app-settings module.

@export()
@description('One caller of the API mapped to the METS user recorded in timelines (Mets:Entra:Callers). Exactly one of objectId (a person, or an application\'s service principal: the token\'s oid) and clientId (a daemon calling with client credentials: the token\'s azp/appid).')
type entraCaller = {
  @description('Object id (oid) of a user or service principal.')
  objectId: string?

  @description('Application (client) id of a daemon application using client credentials.')
  clientId: string?

  @description('The METS user name (a staff id for staff; 1-64 letters, digits or . _ @ -).')
  user: string
}

@export()
@description('One member of the care team (Mets:Roster): a staff id and the address reminders and escalations go to.')
type rosterMember = {
  @description('Staff id (the METS user name the member signs in as).')
  id: string

  @description('Email address.')
  email: string
}

@export()
@description('The care team (Mets:Roster): who gets new engagements, escalations and peer-to-peer reviews.')
type roster = {
  @description('Clinicians new engagements are assigned to.')
  @minLength(1)
  clinicians: rosterMember[]

  @description('Supervisors (the first one gets escalations).')
  @minLength(1)
  supervisors: rosterMember[]

  @description('Medical directors (the first one gets peer-to-peer reviews).')
  @minLength(1)
  medicalDirectors: rosterMember[]
}
