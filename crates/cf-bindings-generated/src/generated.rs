// @generated from openapi/service-bindings.yaml by `cargo xtask codegen`.
// Do not edit by hand: edit the spec, then run `cargo xtask codegen`.

#[allow(unused_imports)]
pub use progenitor_client::{ByteStream, ClientInfo, Error, ResponseValue};
#[allow(unused_imports)]
use progenitor_client::{encode_path, ClientHooks, OperationInfo, RequestBuilderExt};
/// Types used as operation parameters and responses.
#[allow(clippy::all)]
pub mod types {
    ///Identifier of a Cloudflare account.
    #[derive(::serde::Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[serde(transparent)]
    pub struct AddressingAccountIdentifier(::std::string::String);
    impl ::std::ops::Deref for AddressingAccountIdentifier {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }
    impl ::std::convert::From<AddressingAccountIdentifier> for ::std::string::String {
        fn from(value: AddressingAccountIdentifier) -> Self {
            value.0
        }
    }
    impl ::std::str::FromStr for AddressingAccountIdentifier {
        type Err = self::error::ConversionError;
        fn from_str(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            if value.chars().count() > 32usize {
                return Err("longer than 32 characters".into());
            }
            Ok(Self(value.to_string()))
        }
    }
    impl ::std::convert::TryFrom<&str> for AddressingAccountIdentifier {
        type Error = self::error::ConversionError;
        fn try_from(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl ::std::convert::TryFrom<::std::string::String> for AddressingAccountIdentifier {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl<'de> ::serde::Deserialize<'de> for AddressingAccountIdentifier {
        fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
        where
            D: ::serde::Deserializer<'de>,
        {
            ::std::string::String::deserialize(deserializer)?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as ::serde::de::Error>::custom(e.to_string())
                })
        }
    }
    ///`AddressingApiResponseCommon`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
    pub struct AddressingApiResponseCommon {
        pub errors: AddressingMessages,
        pub messages: AddressingMessages,
        ///Whether the API call was successful
        pub success: bool,
    }
    ///`AddressingApiResponseCommonFailure`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
    pub struct AddressingApiResponseCommonFailure {
        pub errors: AddressingMessages,
        pub messages: AddressingMessages,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub result: ::std::option::Option<::serde_json::Value>,
        ///Whether the API call was successful
        pub success: bool,
    }
    ///IP Prefix in Classless Inter-Domain Routing format.
    #[derive(
        ::serde::Deserialize,
        ::serde::Serialize,
        Clone,
        Debug,
        Eq,
        Hash,
        Ord,
        PartialEq,
        PartialOrd
    )]
    #[serde(transparent)]
    pub struct AddressingCidr(pub ::std::string::String);
    impl ::std::ops::Deref for AddressingCidr {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }
    impl ::std::convert::From<AddressingCidr> for ::std::string::String {
        fn from(value: AddressingCidr) -> Self {
            value.0
        }
    }
    impl ::std::convert::From<::std::string::String> for AddressingCidr {
        fn from(value: ::std::string::String) -> Self {
            Self(value)
        }
    }
    impl ::std::fmt::Display for AddressingCidr {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            self.0.fmt(f)
        }
    }
    impl ::std::str::FromStr for AddressingCidr {
        type Err = ::std::convert::Infallible;
        fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
            Ok(Self(value.to_string()))
        }
    }
    ///`AddressingCreateBindingRequest`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
    pub struct AddressingCreateBindingRequest {
        pub cidr: AddressingCidr,
        pub service_id: AddressingServiceIdentifier,
    }
    ///A BYOIP prefix of the account.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default, PartialEq)]
    pub struct AddressingIpamPrefixes {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub account_id: ::std::option::Option<AddressingAccountIdentifier>,
        ///Prefix advertisement status to the Internet. This field is only not 'null' if on demand is enabled.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub advertised: ::std::option::Option<bool>,
        ///Last time the advertisement status was changed. This field is only not 'null' if on demand is enabled.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub advertised_modified_at: ::std::option::Option<
            ::chrono::DateTime<::chrono::offset::Utc>,
        >,
        ///Approval state of the prefix (P = pending, V = active).
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub approved: ::std::option::Option<::std::string::String>,
        ///Autonomous System Number (ASN) the prefix will be advertised under.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub asn: ::std::option::Option<i64>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub cidr: ::std::option::Option<AddressingCidr>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub created_at: ::std::option::Option<AddressingTimestamp>,
        ///Whether Cloudflare is allowed to generate the LOA document on behalf of the prefix owner.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub delegate_loa_creation: ::std::option::Option<bool>,
        ///Description of the prefix.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub description: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub id: ::std::option::Option<AddressingPrefixIdentifier>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub irr_validation_state: ::std::option::Option<AddressingValidationState>,
        ///Identifier for the uploaded LOA document.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub loa_document_id: ::std::option::Option<AddressingIpamPrefixesLoaDocumentId>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub modified_at: ::std::option::Option<AddressingTimestamp>,
        ///Whether advertisement of the prefix to the Internet may be dynamically enabled or disabled.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub on_demand_enabled: ::std::option::Option<bool>,
        ///Whether advertisement status of the prefix is locked, meaning it cannot be changed.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub on_demand_locked: ::std::option::Option<bool>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub ownership_validation_state: ::std::option::Option<AddressingValidationState>,
        ///Token provided to demonstrate ownership of the prefix.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub ownership_validation_token: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub rpki_validation_state: ::std::option::Option<AddressingValidationState>,
    }
    ///Identifier for the uploaded LOA document.
    #[derive(::serde::Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[serde(transparent)]
    pub struct AddressingIpamPrefixesLoaDocumentId(::std::string::String);
    impl ::std::ops::Deref for AddressingIpamPrefixesLoaDocumentId {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }
    impl ::std::convert::From<AddressingIpamPrefixesLoaDocumentId>
    for ::std::string::String {
        fn from(value: AddressingIpamPrefixesLoaDocumentId) -> Self {
            value.0
        }
    }
    impl ::std::str::FromStr for AddressingIpamPrefixesLoaDocumentId {
        type Err = self::error::ConversionError;
        fn from_str(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            if value.chars().count() > 32usize {
                return Err("longer than 32 characters".into());
            }
            Ok(Self(value.to_string()))
        }
    }
    impl ::std::convert::TryFrom<&str> for AddressingIpamPrefixesLoaDocumentId {
        type Error = self::error::ConversionError;
        fn try_from(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl ::std::convert::TryFrom<::std::string::String>
    for AddressingIpamPrefixesLoaDocumentId {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl<'de> ::serde::Deserialize<'de> for AddressingIpamPrefixesLoaDocumentId {
        fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
        where
            D: ::serde::Deserializer<'de>,
        {
            ::std::string::String::deserialize(deserializer)?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as ::serde::de::Error>::custom(e.to_string())
                })
        }
    }
    ///`AddressingMessage`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
    pub struct AddressingMessage {
        pub code: i64,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub documentation_url: ::std::option::Option<::std::string::String>,
        pub message: ::std::string::String,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub source: ::std::option::Option<AddressingMessageSource>,
    }
    ///`AddressingMessageSource`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default, PartialEq)]
    pub struct AddressingMessageSource {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub pointer: ::std::option::Option<::std::string::String>,
    }
    ///`AddressingMessages`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
    #[serde(transparent)]
    pub struct AddressingMessages(pub ::std::vec::Vec<AddressingMessage>);
    impl ::std::ops::Deref for AddressingMessages {
        type Target = ::std::vec::Vec<AddressingMessage>;
        fn deref(&self) -> &::std::vec::Vec<AddressingMessage> {
            &self.0
        }
    }
    impl ::std::convert::From<AddressingMessages>
    for ::std::vec::Vec<AddressingMessage> {
        fn from(value: AddressingMessages) -> Self {
            value.0
        }
    }
    impl ::std::convert::From<::std::vec::Vec<AddressingMessage>>
    for AddressingMessages {
        fn from(value: ::std::vec::Vec<AddressingMessage>) -> Self {
            Self(value)
        }
    }
    ///Identifier of an IP Prefix.
    #[derive(::serde::Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[serde(transparent)]
    pub struct AddressingPrefixIdentifier(::std::string::String);
    impl ::std::ops::Deref for AddressingPrefixIdentifier {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }
    impl ::std::convert::From<AddressingPrefixIdentifier> for ::std::string::String {
        fn from(value: AddressingPrefixIdentifier) -> Self {
            value.0
        }
    }
    impl ::std::str::FromStr for AddressingPrefixIdentifier {
        type Err = self::error::ConversionError;
        fn from_str(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            if value.chars().count() > 32usize {
                return Err("longer than 32 characters".into());
            }
            Ok(Self(value.to_string()))
        }
    }
    impl ::std::convert::TryFrom<&str> for AddressingPrefixIdentifier {
        type Error = self::error::ConversionError;
        fn try_from(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl ::std::convert::TryFrom<::std::string::String> for AddressingPrefixIdentifier {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl<'de> ::serde::Deserialize<'de> for AddressingPrefixIdentifier {
        fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
        where
            D: ::serde::Deserializer<'de>,
        {
            ::std::string::String::deserialize(deserializer)?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as ::serde::de::Error>::custom(e.to_string())
                })
        }
    }
    ///Status of a Service Binding's deployment to the Cloudflare network
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default, PartialEq)]
    pub struct AddressingProvisioning {
        /**When a binding has been deployed to a majority of Cloudflare datacenters, the binding will become active and can be used with its associated service.
Known values: `provisioning`, `active`, `magic_transit_route_missing`; more may be added.
*/
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub state: ::std::option::Option<::std::string::String>,
    }
    ///`AddressingService`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default, PartialEq)]
    pub struct AddressingService {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub id: ::std::option::Option<AddressingServiceIdentifier>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub name: ::std::option::Option<AddressingServiceName>,
    }
    ///`AddressingServiceBinding`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default, PartialEq)]
    pub struct AddressingServiceBinding {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub cidr: ::std::option::Option<AddressingCidr>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub id: ::std::option::Option<AddressingServiceBindingIdentifier>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub provisioning: ::std::option::Option<AddressingProvisioning>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub service_id: ::std::option::Option<AddressingServiceIdentifier>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub service_name: ::std::option::Option<AddressingServiceName>,
    }
    ///Identifier of a Service Binding.
    #[derive(::serde::Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[serde(transparent)]
    pub struct AddressingServiceBindingIdentifier(::std::string::String);
    impl ::std::ops::Deref for AddressingServiceBindingIdentifier {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }
    impl ::std::convert::From<AddressingServiceBindingIdentifier>
    for ::std::string::String {
        fn from(value: AddressingServiceBindingIdentifier) -> Self {
            value.0
        }
    }
    impl ::std::str::FromStr for AddressingServiceBindingIdentifier {
        type Err = self::error::ConversionError;
        fn from_str(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            if value.chars().count() > 32usize {
                return Err("longer than 32 characters".into());
            }
            Ok(Self(value.to_string()))
        }
    }
    impl ::std::convert::TryFrom<&str> for AddressingServiceBindingIdentifier {
        type Error = self::error::ConversionError;
        fn try_from(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl ::std::convert::TryFrom<::std::string::String>
    for AddressingServiceBindingIdentifier {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl<'de> ::serde::Deserialize<'de> for AddressingServiceBindingIdentifier {
        fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
        where
            D: ::serde::Deserializer<'de>,
        {
            ::std::string::String::deserialize(deserializer)?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as ::serde::de::Error>::custom(e.to_string())
                })
        }
    }
    /**Identifier of a Service on the Cloudflare network. Available services and their IDs may be found in the
**List Services** endpoint.
*/
    #[derive(::serde::Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[serde(transparent)]
    pub struct AddressingServiceIdentifier(::std::string::String);
    impl ::std::ops::Deref for AddressingServiceIdentifier {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }
    impl ::std::convert::From<AddressingServiceIdentifier> for ::std::string::String {
        fn from(value: AddressingServiceIdentifier) -> Self {
            value.0
        }
    }
    impl ::std::str::FromStr for AddressingServiceIdentifier {
        type Err = self::error::ConversionError;
        fn from_str(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            if value.chars().count() > 32usize {
                return Err("longer than 32 characters".into());
            }
            Ok(Self(value.to_string()))
        }
    }
    impl ::std::convert::TryFrom<&str> for AddressingServiceIdentifier {
        type Error = self::error::ConversionError;
        fn try_from(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl ::std::convert::TryFrom<::std::string::String> for AddressingServiceIdentifier {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl<'de> ::serde::Deserialize<'de> for AddressingServiceIdentifier {
        fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
        where
            D: ::serde::Deserializer<'de>,
        {
            ::std::string::String::deserialize(deserializer)?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as ::serde::de::Error>::custom(e.to_string())
                })
        }
    }
    ///Name of a service running on the Cloudflare network
    #[derive(
        ::serde::Deserialize,
        ::serde::Serialize,
        Clone,
        Debug,
        Eq,
        Hash,
        Ord,
        PartialEq,
        PartialOrd
    )]
    #[serde(transparent)]
    pub struct AddressingServiceName(pub ::std::string::String);
    impl ::std::ops::Deref for AddressingServiceName {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }
    impl ::std::convert::From<AddressingServiceName> for ::std::string::String {
        fn from(value: AddressingServiceName) -> Self {
            value.0
        }
    }
    impl ::std::convert::From<::std::string::String> for AddressingServiceName {
        fn from(value: ::std::string::String) -> Self {
            Self(value)
        }
    }
    impl ::std::fmt::Display for AddressingServiceName {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            self.0.fmt(f)
        }
    }
    impl ::std::str::FromStr for AddressingServiceName {
        type Err = ::std::convert::Infallible;
        fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
            Ok(Self(value.to_string()))
        }
    }
    ///`AddressingTimestamp`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
    #[serde(transparent)]
    pub struct AddressingTimestamp(pub ::chrono::DateTime<::chrono::offset::Utc>);
    impl ::std::ops::Deref for AddressingTimestamp {
        type Target = ::chrono::DateTime<::chrono::offset::Utc>;
        fn deref(&self) -> &::chrono::DateTime<::chrono::offset::Utc> {
            &self.0
        }
    }
    impl ::std::convert::From<AddressingTimestamp>
    for ::chrono::DateTime<::chrono::offset::Utc> {
        fn from(value: AddressingTimestamp) -> Self {
            value.0
        }
    }
    impl ::std::convert::From<::chrono::DateTime<::chrono::offset::Utc>>
    for AddressingTimestamp {
        fn from(value: ::chrono::DateTime<::chrono::offset::Utc>) -> Self {
            Self(value)
        }
    }
    impl ::std::fmt::Display for AddressingTimestamp {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            self.0.fmt(f)
        }
    }
    impl ::std::str::FromStr for AddressingTimestamp {
        type Err = <::chrono::DateTime<
            ::chrono::offset::Utc,
        > as ::std::str::FromStr>::Err;
        fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
            Ok(Self(value.parse()?))
        }
    }
    impl ::std::convert::TryFrom<&str> for AddressingTimestamp {
        type Error = <::chrono::DateTime<
            ::chrono::offset::Utc,
        > as ::std::str::FromStr>::Err;
        fn try_from(value: &str) -> ::std::result::Result<Self, Self::Error> {
            value.parse()
        }
    }
    impl ::std::convert::TryFrom<String> for AddressingTimestamp {
        type Error = <::chrono::DateTime<
            ::chrono::offset::Utc,
        > as ::std::str::FromStr>::Err;
        fn try_from(value: String) -> ::std::result::Result<Self, Self::Error> {
            value.parse()
        }
    }
    ///State of one kind of validation for an IP prefix.
    #[derive(
        ::serde::Deserialize,
        ::serde::Serialize,
        Clone,
        Debug,
        Eq,
        Hash,
        Ord,
        PartialEq,
        PartialOrd
    )]
    #[serde(transparent)]
    pub struct AddressingValidationState(pub ::std::string::String);
    impl ::std::ops::Deref for AddressingValidationState {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }
    impl ::std::convert::From<AddressingValidationState> for ::std::string::String {
        fn from(value: AddressingValidationState) -> Self {
            value.0
        }
    }
    impl ::std::convert::From<::std::string::String> for AddressingValidationState {
        fn from(value: ::std::string::String) -> Self {
            Self(value)
        }
    }
    impl ::std::fmt::Display for AddressingValidationState {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            self.0.fmt(f)
        }
    }
    impl ::std::str::FromStr for AddressingValidationState {
        type Err = ::std::convert::Infallible;
        fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
            Ok(Self(value.to_string()))
        }
    }
    ///`IpAddressManagementPrefixesListPrefixesResponse`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
    pub struct IpAddressManagementPrefixesListPrefixesResponse {
        pub errors: AddressingMessages,
        pub messages: AddressingMessages,
        #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
        pub result: ::std::vec::Vec<AddressingIpamPrefixes>,
        ///Whether the API call was successful
        pub success: bool,
    }
    ///`IpAddressManagementPrefixesPrefixDetailsResponse`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
    pub struct IpAddressManagementPrefixesPrefixDetailsResponse {
        pub errors: AddressingMessages,
        pub messages: AddressingMessages,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub result: ::std::option::Option<AddressingIpamPrefixes>,
        ///Whether the API call was successful
        pub success: bool,
    }
    ///`IpAddressManagementServiceBindingsCreateServiceBindingResponse`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
    pub struct IpAddressManagementServiceBindingsCreateServiceBindingResponse {
        pub errors: AddressingMessages,
        pub messages: AddressingMessages,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub result: ::std::option::Option<AddressingServiceBinding>,
        ///Whether the API call was successful
        pub success: bool,
    }
    ///`IpAddressManagementServiceBindingsGetServiceBindingResponse`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
    pub struct IpAddressManagementServiceBindingsGetServiceBindingResponse {
        pub errors: AddressingMessages,
        pub messages: AddressingMessages,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub result: ::std::option::Option<AddressingServiceBinding>,
        ///Whether the API call was successful
        pub success: bool,
    }
    ///`IpAddressManagementServiceBindingsListServiceBindingsResponse`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
    pub struct IpAddressManagementServiceBindingsListServiceBindingsResponse {
        pub errors: AddressingMessages,
        pub messages: AddressingMessages,
        #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
        pub result: ::std::vec::Vec<AddressingServiceBinding>,
        ///Whether the API call was successful
        pub success: bool,
    }
    ///`IpAddressManagementServiceBindingsListServicesResponse`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
    pub struct IpAddressManagementServiceBindingsListServicesResponse {
        pub errors: AddressingMessages,
        pub messages: AddressingMessages,
        #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
        pub result: ::std::vec::Vec<AddressingService>,
        ///Whether the API call was successful
        pub success: bool,
    }
    /// Error types.
    pub mod error {
        /// Error from a `TryFrom` or `FromStr` implementation.
        pub struct ConversionError(::std::borrow::Cow<'static, str>);
        impl ::std::error::Error for ConversionError {}
        impl ::std::fmt::Display for ConversionError {
            fn fmt(
                &self,
                f: &mut ::std::fmt::Formatter<'_>,
            ) -> Result<(), ::std::fmt::Error> {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }
        impl ::std::fmt::Debug for ConversionError {
            fn fmt(
                &self,
                f: &mut ::std::fmt::Formatter<'_>,
            ) -> Result<(), ::std::fmt::Error> {
                ::std::fmt::Debug::fmt(&self.0, f)
            }
        }
        impl From<&'static str> for ConversionError {
            fn from(value: &'static str) -> Self {
                Self(value.into())
            }
        }
        impl From<String> for ConversionError {
            fn from(value: String) -> Self {
                Self(value.into())
            }
        }
    }
}
#[derive(Clone, Debug)]
/**Client for Cloudflare Service Bindings API

Bind CIDRs of a Bring-Your-Own-IP prefix to services running on Cloudflare's network (Magic Transit, CDN, Spectrum).

Version: 2026-07-27*/
pub struct Client {
    pub(crate) baseurl: String,
    pub(crate) client: reqwest::Client,
    pub(crate) inner: crate::ResponseRecorder,
}
impl Client {
    /// Create a new client.
    ///
    /// `baseurl` is the base URL provided to the internal
    /// `reqwest::Client`, and should include a scheme and hostname,
    /// as well as port and a path stem if applicable.
    pub fn new(baseurl: &str, inner: crate::ResponseRecorder) -> Self {
        #[cfg(not(target_arch = "wasm32"))]
        let client = {
            let dur = ::std::time::Duration::from_secs(15u64);
            reqwest::ClientBuilder::new().connect_timeout(dur).timeout(dur)
        };
        #[cfg(target_arch = "wasm32")]
        let client = reqwest::ClientBuilder::new();
        Self::new_with_client(baseurl, client.build().unwrap(), inner)
    }
    /// Construct a new client with an existing `reqwest::Client`,
    /// allowing more control over its configuration.
    ///
    /// `baseurl` is the base URL provided to the internal
    /// `reqwest::Client`, and should include a scheme and hostname,
    /// as well as port and a path stem if applicable.
    pub fn new_with_client(
        baseurl: &str,
        client: reqwest::Client,
        inner: crate::ResponseRecorder,
    ) -> Self {
        Self {
            baseurl: baseurl.to_string(),
            client,
            inner,
        }
    }
}
impl ClientInfo<crate::ResponseRecorder> for Client {
    fn api_version() -> &'static str {
        "2026-07-27"
    }
    fn baseurl(&self) -> &str {
        self.baseurl.as_str()
    }
    fn client(&self) -> &reqwest::Client {
        &self.client
    }
    fn inner(&self) -> &crate::ResponseRecorder {
        &self.inner
    }
}
impl ClientHooks<crate::ResponseRecorder> for &Client {}
#[allow(clippy::all)]
impl Client {
    /**List Prefixes

List all prefixes owned by the account.

Sends a `GET` request to `/accounts/{account_id}/addressing/prefixes`

*/
    pub async fn ip_address_management_prefixes_list_prefixes<'a>(
        &'a self,
        account_id: &'a types::AddressingAccountIdentifier,
    ) -> Result<
        ResponseValue<types::IpAddressManagementPrefixesListPrefixesResponse>,
        Error<types::AddressingApiResponseCommonFailure>,
    > {
        let url = format!(
            "{}/accounts/{}/addressing/prefixes", self.baseurl, encode_path(& account_id
            .to_string()),
        );
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        header_map
            .append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(Self::api_version()),
            );
        #[allow(unused_mut)]
        let mut request = self
            .client
            .get(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "ip_address_management_prefixes_list_prefixes",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            400u16..=499u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Prefix Details

List a particular prefix owned by the account.

Sends a `GET` request to `/accounts/{account_id}/addressing/prefixes/{prefix_id}`

*/
    pub async fn ip_address_management_prefixes_prefix_details<'a>(
        &'a self,
        account_id: &'a types::AddressingAccountIdentifier,
        prefix_id: &'a types::AddressingPrefixIdentifier,
    ) -> Result<
        ResponseValue<types::IpAddressManagementPrefixesPrefixDetailsResponse>,
        Error<types::AddressingApiResponseCommonFailure>,
    > {
        let url = format!(
            "{}/accounts/{}/addressing/prefixes/{}", self.baseurl, encode_path(&
            account_id.to_string()), encode_path(& prefix_id.to_string()),
        );
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        header_map
            .append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(Self::api_version()),
            );
        #[allow(unused_mut)]
        let mut request = self
            .client
            .get(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "ip_address_management_prefixes_prefix_details",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            400u16..=499u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**List Service Bindings

List the Cloudflare services this prefix is currently bound to. Traffic sent to an address within an IP prefix will be routed to the Cloudflare service of the most-specific Service Binding matching the address.
**Example:** binding `192.0.2.0/24` to Cloudflare Magic Transit and `192.0.2.1/32` to the Cloudflare CDN would route traffic for `192.0.2.1` to the CDN, and traffic for all other IPs in the prefix to Cloudflare Magic Transit.


Sends a `GET` request to `/accounts/{account_id}/addressing/prefixes/{prefix_id}/bindings`

*/
    pub async fn ip_address_management_service_bindings_list_service_bindings<'a>(
        &'a self,
        account_id: &'a types::AddressingAccountIdentifier,
        prefix_id: &'a types::AddressingPrefixIdentifier,
    ) -> Result<
        ResponseValue<
            types::IpAddressManagementServiceBindingsListServiceBindingsResponse,
        >,
        Error<types::AddressingApiResponseCommonFailure>,
    > {
        let url = format!(
            "{}/accounts/{}/addressing/prefixes/{}/bindings", self.baseurl, encode_path(&
            account_id.to_string()), encode_path(& prefix_id.to_string()),
        );
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        header_map
            .append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(Self::api_version()),
            );
        #[allow(unused_mut)]
        let mut request = self
            .client
            .get(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "ip_address_management_service_bindings_list_service_bindings",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            400u16..=499u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Create Service Binding

Creates a new Service Binding, routing traffic to IPs within the given CIDR to a service running on Cloudflare's network.
**NOTE:** The first Service Binding created for an IP Prefix must exactly match the IP Prefix's CIDR. Subsequent Service Bindings may be created with a more-specific CIDR. Refer to the [Service Bindings Documentation](https://developers.cloudflare.com/byoip/service-bindings/) for compatibility details.


Sends a `POST` request to `/accounts/{account_id}/addressing/prefixes/{prefix_id}/bindings`

*/
    pub async fn ip_address_management_service_bindings_create_service_binding<'a>(
        &'a self,
        account_id: &'a types::AddressingAccountIdentifier,
        prefix_id: &'a types::AddressingPrefixIdentifier,
        body: &'a types::AddressingCreateBindingRequest,
    ) -> Result<
        ResponseValue<
            types::IpAddressManagementServiceBindingsCreateServiceBindingResponse,
        >,
        Error<types::AddressingApiResponseCommonFailure>,
    > {
        let url = format!(
            "{}/accounts/{}/addressing/prefixes/{}/bindings", self.baseurl, encode_path(&
            account_id.to_string()), encode_path(& prefix_id.to_string()),
        );
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        header_map
            .append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(Self::api_version()),
            );
        #[allow(unused_mut)]
        let mut request = self
            .client
            .post(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .json(&body)
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "ip_address_management_service_bindings_create_service_binding",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            201u16 => ResponseValue::from_response(response).await,
            400u16..=499u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Get Service Binding

Fetch a single Service Binding

Sends a `GET` request to `/accounts/{account_id}/addressing/prefixes/{prefix_id}/bindings/{binding_id}`

*/
    pub async fn ip_address_management_service_bindings_get_service_binding<'a>(
        &'a self,
        account_id: &'a types::AddressingAccountIdentifier,
        prefix_id: &'a types::AddressingPrefixIdentifier,
        binding_id: &'a types::AddressingServiceBindingIdentifier,
    ) -> Result<
        ResponseValue<
            types::IpAddressManagementServiceBindingsGetServiceBindingResponse,
        >,
        Error<types::AddressingApiResponseCommonFailure>,
    > {
        let url = format!(
            "{}/accounts/{}/addressing/prefixes/{}/bindings/{}", self.baseurl,
            encode_path(& account_id.to_string()), encode_path(& prefix_id.to_string()),
            encode_path(& binding_id.to_string()),
        );
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        header_map
            .append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(Self::api_version()),
            );
        #[allow(unused_mut)]
        let mut request = self
            .client
            .get(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "ip_address_management_service_bindings_get_service_binding",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            400u16..=499u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Delete Service Binding

Delete a Service Binding

Sends a `DELETE` request to `/accounts/{account_id}/addressing/prefixes/{prefix_id}/bindings/{binding_id}`

*/
    pub async fn ip_address_management_service_bindings_delete_service_binding<'a>(
        &'a self,
        account_id: &'a types::AddressingAccountIdentifier,
        prefix_id: &'a types::AddressingPrefixIdentifier,
        binding_id: &'a types::AddressingServiceBindingIdentifier,
    ) -> Result<
        ResponseValue<types::AddressingApiResponseCommon>,
        Error<types::AddressingApiResponseCommonFailure>,
    > {
        let url = format!(
            "{}/accounts/{}/addressing/prefixes/{}/bindings/{}", self.baseurl,
            encode_path(& account_id.to_string()), encode_path(& prefix_id.to_string()),
            encode_path(& binding_id.to_string()),
        );
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        header_map
            .append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(Self::api_version()),
            );
        #[allow(unused_mut)]
        let mut request = self
            .client
            .delete(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "ip_address_management_service_bindings_delete_service_binding",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            400u16..=499u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**List Services

Bring-Your-Own IP (BYOIP) prefixes onboarded to Cloudflare must be bound to a service running on the Cloudflare network to enable a Cloudflare product on the IP addresses. This endpoint can be used as a reference of available services on the Cloudflare network, and their service IDs.


Sends a `GET` request to `/accounts/{account_id}/addressing/services`

*/
    pub async fn ip_address_management_service_bindings_list_services<'a>(
        &'a self,
        account_id: &'a types::AddressingAccountIdentifier,
    ) -> Result<
        ResponseValue<types::IpAddressManagementServiceBindingsListServicesResponse>,
        Error<types::AddressingApiResponseCommonFailure>,
    > {
        let url = format!(
            "{}/accounts/{}/addressing/services", self.baseurl, encode_path(& account_id
            .to_string()),
        );
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        header_map
            .append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(Self::api_version()),
            );
        #[allow(unused_mut)]
        let mut request = self
            .client
            .get(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "ip_address_management_service_bindings_list_services",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            400u16..=499u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
}
/// Items consumers will typically use such as the Client.
pub mod prelude {
    #[allow(unused_imports)]
    pub use super::Client;
}
