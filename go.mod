module github.com/armsflow/armsflow

go 1.26.8

require (
	github.com/gorilla/mux v1.8.1
	github.com/paulmach/orb v0.14.0
)

require go.mongodb.org/mongo-driver/v2 v2.5.0 // indirect
